"""What the demo company says: staff, posts, timelines and the fragments customer
comments and staff replies are built from. All text is written for the demo."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from conversations.models import (
    KnownIssueStatus,
)

DEMO_PASSWORD = "openline-demo"  # noqa: S105 (published demo logins)
DOMAIN = "demo.openline.test"
CUSTOMER_DOMAIN = "mail.example"
SEED = 1042
COMPANY = "Larder & Ladle"

# key, display name, title, role. E-mail: key@DOMAIN.
STAFF = [
    ("ada", "Ada L.", "Site Administrator", Role.ADMIN),
    ("priya", "Priya S.", "Head of Customer Service", Role.MANAGER),
    ("mona", "Mona T.", "Community Moderator", Role.MODERATOR),
    ("lionel", "Lionel M.", "Chief Blogger", Role.BLOGGER),
    ("alex", "Alex R.", "Customer Care", Role.AGENT),
    ("bea", "Bea K.", "Customer Care, evenings", Role.AGENT),
    ("tomasz", "Tomasz W.", "Delivery Specialist", Role.AGENT),
]
ADMIN_EMAIL = f"ada@{DOMAIN}"
CUSTOMER_LOGINS = [("maria", "Maria Keller"), ("sam", "Sam Osei"), ("jonas", "Jonas Berg")]

DEMO_LOGINS: list[tuple[str, str]] = [
    (f"maria@{DOMAIN}", "customer"),
    (f"alex@{DOMAIN}", "agent"),
    (f"lionel@{DOMAIN}", "blogger"),
    (f"mona@{DOMAIN}", "moderator"),
    (f"priya@{DOMAIN}", "manager"),
    (ADMIN_EMAIL, "admin"),
]

GUEST = (
    "Rosa Delgado",
    "Rosa runs Crumb & Co, the bakery in Armley that bakes the sourdough we deliver every morning.",
)

CATEGORIES = [
    ("Deliveries", "deliveries", "Slots, vans, drivers and where your shopping is right now."),
    ("Orders & refunds", "orders-refunds", "Payments, missing items, substitutions, money back."),
    ("The app", "the-app", "Our iPhone and Android apps, and signing in on the website."),
    ("Products", "products", "What we sell, who makes it, and the occasional recall."),
    ("Stores", "stores", "Click & collect in Leeds, Bradford, Manchester and Bristol."),
]

# --- Posts ------------------------------------------------------------------------
#
# `when` is (days ago, "HH:MM" local time) or a number of hours ago. Known issues have
# `due` (hours after publishing: the first promised update) and `timeline`: (hours
# after publishing, status, text, hours after publishing of the next promise or None).

INV, IDE, MON, RES = (
    KnownIssueStatus.INVESTIGATING,
    KnownIssueStatus.IDENTIFIED,
    KnownIssueStatus.MONITORING,
    KnownIssueStatus.RESOLVED,
)

LEEDS = ["Headingley", "Chapel Allerton", "Kirkstall", "Roundhay", "Horsforth", "Armley", "Leeds"]
BRADFORD = ["Bradford", "Shipley", "Saltaire", "Idle"]
MANCHESTER = ["Chorlton", "Didsbury", "Salford", "Stretford", "Sale", "Manchester"]
BRISTOL = ["Bristol", "Bedminster", "Clifton", "Easton", "Bath"]

POSTS: list[dict[str, Any]] = [
    {
        "title": f"Hello from {COMPANY}: a blog with real people behind it",
        "author": "lionel",
        "when": (58, "09:30"),
        "category": None,
        "labels": ["News"],
        "topic": "general",
        "comments": 11,
        "body": """\
We deliver groceries and kitchen kit to about forty thousand homes across Leeds, Bradford,
Manchester and Bristol. Until now, if something went wrong you found out from a terse e-mail
or a hold queue. You deserve better than that.

So this is our blog. It's where we will:

- **Tell you about problems first.** If deliveries are late in your area, the app misbehaves
  or a product is recalled, it goes up here as a *known issue*, with a promise of when we'll
  next update it. Then we keep the promise.
- **Explain how things work.** Refunds, substitutions, slots, packaging: the things you ask
  us about every day.
- **Introduce the people** who grow, bake, pick, pack and drive.

Every post is written by someone on the team, and you'll see their name on it. Comments are
read by our customer care team, who answer them here in public: if you have a question,
someone else probably has it too.

Say hello below. We're listening.
""",
    },
    {
        "title": "How we pick and pack your shopping",
        "author": "lionel",
        "when": (55, "11:10"),
        "category": "deliveries",
        "labels": ["Packaging", "Behind the scenes"],
        "topic": "missing",
        "comments": 13,
        "body": """\
Most orders are picked in the four hours before the van leaves. Here's what happens to yours
in that time.

### 1. Picking
Our pickers walk the store with a trolley holding up to six orders at once. The handheld
scanner tells them which shelf to visit next, so the heavy things (tins, bottles, potatoes)
go in first and your bread and eggs go in last.

### 2. Keeping things cold
Chilled food goes into green bags with a cold pack, frozen food into insulated boxes. Both
stay in the cold room until the van is loaded, and the vans are chilled too. If frozen food
ever reaches you thawed, please don't keep it: tell us and we'll refund it.

### 3. Substitutions
If something is out of stock, the scanner suggests the closest match. A second person checks
every substitution before the bag is sealed, and you can always hand it back at the door.

### 4. Loading
Bags are loaded in reverse order of the route, so yours are at the front when the driver
reaches you.

It isn't perfect, and the comments below will probably say so. We'd still rather show you
how it works than pretend it never goes wrong.
""",
    },
    {
        "title": "Sourdough, every morning: a night at Crumb & Co",
        "author": "guest",
        "when": (50, "07:45"),
        "category": "products",
        "labels": ["Bakery", "Local makers"],
        "topic": "food",
        "products": ["sourdough", "seeded rye", "Crumb & Co sourdough", "morning rolls"],
        "extra": [
            (
                "S",
                "Could you do a half-size loaf? There are only two of us.",
                "Rosa's team is trying a small loaf next month. I'll post here when it's on sale.",
            ),
            (
                "T",
                "Just had the seeded rye toasted with far too much butter. Outstanding.",
                "We'll make sure Rosa hears that!",
            ),
            (
                "Q",
                "Is the sourdough vegan?",
                "It is: flour, water, salt and the starter, nothing else. The rolls have milk in "
                "them, though.",
            ),
        ],
        "comments": 11,
        "body": """\
*Rosa runs Crumb & Co, the bakery in Armley that makes the sourdough you get from
Larder & Ladle. We asked her how it's made.*

The dough for tomorrow's bread starts today, at about two in the afternoon, when we feed the
starter. It's the same starter I've kept alive for eleven years; it has moved house with me
twice.

By eight in the evening the dough is mixed, folded and resting in baskets in the cold room,
where it proves slowly overnight. That long, cool rest is where the flavour comes from, and
there's no shortcut for it.

At half past three in the morning we start baking: two ovens, forty loaves at a time. The
first Larder & Ladle van collects at six, the second at seven, so the loaf that reaches you
at lunchtime came out of the oven that morning.

A few things people ask me:

- **Why is the crust so dark?** Because that's where the taste is. We bake hot and long on
  purpose.
- **Why does it keep so well?** The acidity from the starter slows staling. Keep it cut side
  down on a board; it doesn't need the fridge.
- **Can I freeze it?** Yes. Slice it first and toast it from frozen.

Thank you for buying our bread. It keeps a small bakery going, and we notice every order.
""",
    },
    {
        "title": "Refunds, explained: where your money goes and when",
        "author": "priya",
        "when": (46, "10:05"),
        "category": "orders-refunds",
        "labels": ["Refunds", "Payments"],
        "topic": "payment",
        "comments": 16,
        "body": """\
"Where's my refund?" is the question we're asked most. Here is the whole journey.

**When we send it.** Refunds for missing, damaged or wrong items are sent the same day you
tell us, most of them automatically through *Orders → Report a problem*.

**Where it goes.** Back to the way you paid: card to card, PayPal to PayPal, gift card to
gift card. If you paid with a mix, the gift card is refunded first.

**How long it takes.** This part is out of our hands. Once the refund leaves us:

| Paid with | Usually arrives within |
|---|---|
| Debit or credit card | 3 to 5 working days |
| PayPal | 1 working day |
| Gift card | Straight away |

**A card hold is not a charge.** When you order, your bank holds a little more than the
basket total, because weighed items such as fruit, meat and cheese can come in heavier. We
take the actual amount on delivery day and the hold drops off. Some banks show the hold as a
payment for a few days, which looks like a double charge. It isn't, but we understand why it
is alarming.

If a refund hasn't arrived after five working days, comment here or contact us with your
order number and we'll give you a reference your bank can trace.

Priya, Head of Customer Service
""",
    },
    {
        "title": "Ladle Club is changing: what's different from next month",
        "author": "priya",
        "when": (41, "12:00"),
        "category": "orders-refunds",
        "labels": ["Ladle Club", "Prices"],
        "topic": "membership",
        "comments": 36,
        "body": """\
From the first of next month, free delivery for Ladle Club members applies to orders over
**£40**, up from £25. The membership fee stays at £7.99 a month, and member prices stay as
they are.

We know this isn't welcome news, so here is why.

Since Ladle Club started, the cost of a delivery has gone up by about a third: fuel, van
leases and, rightly, our drivers' pay. A small order costs as much to deliver as a large one,
and at £25 we lose money on most of them. We looked at raising the fee for everyone instead,
and decided a higher threshold was fairer to members who do one big weekly shop.

What it means for you:

- Orders over £40: nothing changes, delivery is free.
- Orders under £40: members pay **£1.50** for delivery instead of the usual £4.50.
- Click & collect stays free for everyone.
- If you paid for a year in advance, you keep the £25 threshold until your renewal date.

If Ladle Club no longer works for you, cancel in *Account → Ladle Club* and we'll refund the
unused part of this month. No phone call, no "are you sure?" screens.

We'll read every comment on this post, and answer them here.
""",
    },
    {
        "title": "New in: the Ironside cast-iron range",
        "author": "lionel",
        "when": (35, "09:00"),
        "category": "products",
        "labels": ["Kitchenware", "New in"],
        "topic": "kitchenware",
        "products": ["Ironside skillet", "Ironside casserole", "Ironside griddle"],
        "comments": 11,
        "body": """\
We've sold other people's pans for two years. Now we have our own: **Ironside**, a small
range of cast iron made in the West Midlands by a foundry that has been pouring iron since
1911.

Three pieces to start with:

- **Skillet, 26 cm**, £39. Pre-seasoned and ready to use. The one to start with.
- **Casserole, 5 litres**, £85. Enamelled inside and out, in oat or deep green.
- **Reversible griddle**, £45. Ridged on one side, flat on the other; spans two rings.

All three work on gas, electric, induction and in the oven, and come with a ten-year
guarantee against manufacturing faults.

**Why cast iron?** It holds heat like nothing else, so a steak sears instead of stewing and a
stew keeps bubbling gently on the lowest setting. Looked after, a skillet will outlive you.

**Looking after it.** Wash by hand, dry on a warm hob, wipe with a few drops of oil. That's
all. No dishwasher, please, and don't leave it soaking.

Add Ironside to any grocery order and it arrives with your shopping, boxed and wrapped in
paper rather than plastic.
""",
    },
    {
        "title": "Bristol: click & collect is open at Temple Quay",
        "author": "lionel",
        "when": (30, "08:30"),
        "category": "stores",
        "labels": ["Click & collect", "Bristol"],
        "topic": "store",
        "city": BRISTOL,
        "store": ["Temple Quay", "the Bristol store", "Temple Quay"],
        "comments": 11,
        "body": """\
Good news for Bristol: from today you can collect your order from our **Temple Quay** store
instead of waiting in for a van.

**How it works.** Choose *Click & collect* at checkout and pick a one-hour window. When the
order is ready we text you a six-digit code. Come to the collection door at the side of the
building (look for the green canopy), type the code into a locker, and your shopping is
there. Chilled and frozen bags stay cold until the moment you open the door.

**When.** 8am to 9pm every day, 10am to 4pm on bank holidays.

**What it costs.** Nothing. Click & collect is free for everyone, with a minimum order of £15.

**Parking.** Four short-stay bays right outside the collection door, free for 20 minutes.

If it goes well, Bath is next. Tell us below how you get on.
""",
    },
    {
        "title": "App 4.2: reorder your usuals in two taps",
        "author": "lionel",
        "when": (24, "10:15"),
        "category": "the-app",
        "labels": ["App", "iPhone", "Android"],
        "topic": "app",
        "comments": 14,
        "body": """\
Version 4.2 of the Larder & Ladle app is rolling out this week on iPhone and Android. The
headline change is **Usuals**.

### Usuals
The app learns what you buy most often and puts it in one list. Tap **Usuals**, untick
whatever you don't need this week, and tap **Add all to basket**. For most people that's a
weekly shop in under a minute.

### Also new
- The basket shows your delivery charge, and how far you are from free delivery, as you shop.
- Substitution preferences per item: *allow*, *similar only* or *never*.
- The tracking map shows the van for the last 30 minutes before it reaches you.
- Faster start-up on older phones.

### Moved
**Favourites** are now part of Usuals; nothing has been lost. The search bar has moved to
the top of every screen.

The app needs iOS 16 or Android 10 or later. If you spot anything odd, tell us in the
comments: the app team reads them.
""",
    },
    {
        "title": "Why substitutions happen (and how to say no to them)",
        "author": "lionel",
        "when": (18, "13:20"),
        "category": "orders-refunds",
        "labels": ["Substitutions"],
        "topic": "missing",
        "products": ["oat milk", "coffee beans", "chicken thighs", "mature cheddar", "hummus"],
        "comments": 18,
        "body": """\
About one order in eight has at least one substitution. Here is why, and how to control them.

**Why they happen.** Stock is counted overnight, but your order is picked in the morning,
after the store has been filling other orders for a few hours. When the last pack of
something goes, the picker either substitutes it or leaves it out, depending on what you've
told us.

**How we choose.** The closest match on size, brand and dietary needs. We never swap a
free-from or organic product for one that isn't, and we never substitute baby food or formula
at all.

**Your choices**, per item in the basket or for everything in *Account → Substitutions*:

1. **Allow**: we pick the closest match.
2. **Similar only**: the same product in a different size or brand.
3. **Never**: leave it out and refund it.

**At the door.** Substitutions are listed on the delivery note and in the text we send when
the van leaves. If you don't want something, hand it back to the driver and it's refunded on
the spot.

And if a substitute costs more, you pay the original price.
""",
    },
    {
        "title": "Summer delivery slots: earlier mornings, later evenings",
        "author": "lionel",
        "when": (12, "09:40"),
        "category": "deliveries",
        "labels": ["Delivery slots"],
        "topic": "late",
        "comments": 14,
        "body": """\
From Monday we're adding two delivery windows in every area we cover:

- **7 to 8am**, to get the shopping in before work or the school run;
- **9 to 10pm**, for people who'd rather not spend the evening waiting in.

To make room, the 1 to 3pm window becomes two one-hour slots, which also means less waiting.

Slots open seven days ahead at 8pm. Saturday mornings are still the busiest; if you're
flexible, Tuesdays and Wednesdays are the quietest and the most likely to arrive early.

We're also changing what happens when we're running late. If your van will be more than 30
minutes behind, you'll get a text with a new time as soon as we know, not when the driver
realises. And if we arrive more than an hour after your slot, the delivery charge is refunded
automatically.
""",
    },
    {
        "title": "A cook's guide to carbon-steel pans",
        "author": "lionel",
        "when": (7, "11:00"),
        "category": "products",
        "labels": ["Kitchenware", "Cooking"],
        "topic": "kitchenware",
        "products": ["Tidewater wok", "carbon-steel pan", "Tidewater frying pan"],
        "comments": 8,
        "body": """\
Carbon steel is cast iron's lighter cousin: it heats fast, cools fast and gets better the more
you use it. Our **Tidewater** wok and frying pans are carbon steel, and we get a lot of
questions about them. Here are the answers.

### The first use
New pans come with a thin coat of wax to stop rust on the way to you. Scrub it off with hot
soapy water (the only time you should scrub hard) and dry the pan on the hob.

### Seasoning
Wipe a very thin layer of oil all over, inside and out, and heat until it smokes. Let it
cool, then repeat three times. The pan turns brown, then patchy, then slowly black.
**Patchy is normal.**

### Every day
- Rinse with hot water and a brush while the pan is still warm.
- Dry on the hob, then wipe with a few drops of oil.
- Go easy on long-simmered tomato or wine sauces for the first month.

### When it goes wrong
Rust spots? Scrub them off, dry, oil, heat. Sticky? Too much oil: heat until it smokes and
wipe it out. Nothing you can do to carbon steel can't be undone with heat and patience.
""",
    },
    {
        "title": "Less plastic in your Larder Box",
        "author": "lionel",
        "when": (3, "08:50"),
        "category": "products",
        "labels": ["Veg box", "Packaging"],
        "topic": "food",
        "products": ["tomatoes", "strawberries", "salad leaves", "peaches", "new potatoes"],
        "extra": [
            (
                "P",
                "This week's box had two bags of carrots and no onions.",
                "That sounds like a mix-up at packing. I've refunded the missing onions and "
                "added a note to check your next box.",
            ),
            (
                "P",
                "Loose carrots are fine, but the potatoes covered everything else in mud.",
                "That's what the new bottom compartment is for; it sounds as if yours was packed "
                "the old way. I've told the packing team.",
            ),
            (
                "Q",
                "Does the compostable salad bag go in garden waste or food waste?",
                "Food waste, please: garden waste collections don't always take it.",
            ),
            (
                "S",
                "Let me swap things out of the box if I already have them.",
                "Swaps are coming to the Larder Box this summer: you'll be able to leave out up "
                "to three items.",
            ),
            (
                "S",
                "Find a plastic-free way to do herbs, even if they arrive a bit floppier.",
                "Noted! The team is trying paper sleeves next month.",
            ),
        ],
        "comments": 14,
        "body": """\
From this week, the **Larder Box**, our weekly box of seasonal fruit and veg, comes with
about 70% less plastic.

What's changed:

- Potatoes, onions and carrots come loose in the box, not in bags.
- Salad leaves come in a compostable bag made from wood pulp. It goes in the food waste
  caddy, not the recycling.
- Soft fruit comes in card punnets.
- The box is the same as before: give it back to the driver and we'll reuse it up to ten
  times.

What hasn't changed yet: herbs and mushrooms still come in plastic, because everything else
we tried turned them to mush before they reached you. We're still testing.

A few customers in our trial told us loose veg put soil on everything else. Fair point, so
root vegetables now go in a separate compartment at the bottom. Tell us how your first box
arrives.
""",
    },
    # --- Known issues ---
    {
        "title": "Card payments failing at checkout",
        "author": "lionel",
        "when": (53, "12:40"),
        "category": "orders-refunds",
        "labels": ["Payments"],
        "topic": "payment",
        "comments": 19,
        "affected_area": "Card payments at checkout, on the website and in the app",
        "due": 1,
        "body": """\
Since about quarter past twelve, many card payments are being declined at checkout on the
website and in the app. Your card is almost certainly fine: this looks like a fault between
us and our payment provider.

**What you can do now:** PayPal and Apple Pay are working normally. If you need to order
urgently, please use one of those.

**If you tried several times:** each attempt may show as a pending payment on your card.
Only orders that went through will be charged; the other holds drop off on their own.

We'll update this post within the hour.
""",
        "timeline": [
            (
                0.75,
                IDE,
                "Our payment provider has confirmed a fault on their side affecting Visa and "
                "Mastercard **debit** cards. Credit cards, PayPal and Apple Pay are unaffected. "
                "They expect a fix within two hours.",
                2.5,
            ),
            (
                2.3,
                MON,
                "The provider deployed a fix shortly before three and card payments have been "
                "going through since. We're watching closely for the rest of the afternoon.\n\n"
                "Pending payments for failed attempts drop off within 3 working days; you don't "
                "need to do anything.",
                6,
            ),
            (
                5.5,
                RES,
                "No failed payments for over three hours, so we're closing this. If you still "
                "see a charge for an order you don't have, comment below with the time you "
                "tried and we'll check it for you.",
                None,
            ),
        ],
        "extra": [
            (
                "P",
                "Tried five times to pay and now there are five pending payments on my card!",
                "Only orders that went through are charged; the other pending amounts are holds "
                "that drop off within 3 working days. I've checked and you have one order, "
                "{order}, so one payment.",
            ),
            (
                "Q",
                "Does PayPal still work while this is going on?",
                "Yes, PayPal and Apple Pay are going through normally.",
            ),
        ],
    },
    {
        "title": "Leeds deliveries delayed: fewer vans on the road",
        "author": "lionel",
        "when": (38, "07:50"),
        "category": "deliveries",
        "labels": ["Leeds", "Delivery slots"],
        "topic": "late",
        "city": LEEDS,
        "comments": 24,
        "affected_area": "Home deliveries in Leeds",
        "due": 3,
        "body": """\
This morning we have fewer vans than we need in Leeds, and some of today's deliveries will
be late or moved to tomorrow.

If your slot is affected you'll get a text by 10am. Your order is safe: chilled and frozen
food stays in our cold room until it goes out.

If you'd rather cancel, you can do it in *Orders* at no charge, up to an hour before your
slot.

Next update by 11am.
""",
        "timeline": [
            (
                2,
                IDE,
                "The cause: the van manufacturer issued a safety recall on brake parts last "
                "night, and eleven of our Leeds vans can't be driven until they've been "
                "checked. Our Bradford depot is lending us three vans this afternoon.\n\n"
                "Evening slots today are likely to run up to an hour late.",
                8,
            ),
            (
                7.5,
                IDE,
                "Eight of the eleven vans have been checked and are back. About 60 orders have "
                "been moved to tomorrow morning, and those customers have had a text. Everyone "
                "affected gets the delivery charge back.",
                24,
            ),
            (
                23,
                MON,
                "All but one van are back on the road and this morning's deliveries have been "
                "on time. We'll keep this open for a couple of days in case of more surprises.",
                50,
            ),
            (
                49,
                RES,
                "The last van is back and deliveries have been on time for two days, so we're "
                "closing this. Thank you for your patience, and thank you to the Bradford team "
                "for the loan.",
                None,
            ),
        ],
        "extra": [
            (
                "P",
                "My slot was moved to tomorrow without anyone asking. I'd taken the afternoon off "
                "for this.",
                "Moving a slot without asking isn't good enough when you've planned around it. "
                "I've refunded the delivery charge and added £5 credit to your account for the "
                "wasted afternoon.",
            ),
            (
                "Q",
                "Is this just Leeds or Bradford too?",
                "Just Leeds. Bradford vans come from a different depot and aren't affected.",
            ),
        ],
    },
    {
        "title": "Recall: Highfield oat milk 1 litre (batch 24B)",
        "author": "priya",
        "when": (27, "08:15"),
        "category": "products",
        "labels": ["Recall", "Dairy & alternatives"],
        "topic": "recall",
        "comments": 18,
        "affected_area": "Highfield oat milk 1 litre, batch 24B",
        "due": 4,
        "body": """\
Highfield are recalling one batch of their **1 litre oat milk** because some cartons may
contain small pieces of plastic from the cap.

**Affected:** Highfield oat milk 1 litre, batch code **24B**, best-before dates from the 14th
to the 21st of next month. The batch code is printed on the top of the carton, next to the
date.

**Not affected:** any other batch, the 2 litre carton, and all other Highfield products.

**What to do:** please don't drink it. Pour it away and recycle the carton; there's no need to
send anything back. We're refunding everyone who bought it from us automatically; you don't
need to contact us.

We'll update this post as we hear more from Highfield.
""",
        "timeline": [
            (
                1.5,
                IDE,
                "Highfield have traced the fault to one capping machine, which has been taken "
                "out of use. We've removed the batch from sale in all four stores and sent a "
                "text to everyone who bought it.",
                26,
            ),
            (
                24,
                MON,
                "Refunds have been sent for all 1,842 orders that included the affected batch. "
                "If you bought it and haven't had a text or a refund, comment below and we'll "
                "check.",
                72,
            ),
            (
                71,
                RES,
                "All refunds are complete and Highfield have confirmed no other batch is "
                "affected. Their oat milk is back on sale from a new batch. Thanks for bearing "
                "with us.",
                None,
            ),
        ],
    },
    {
        "title": "Android app crashes when opening the basket",
        "author": "lionel",
        "when": (15, "18:20"),
        "category": "the-app",
        "labels": ["App", "Android"],
        "topic": "app",
        "comments": 16,
        "affected_area": "Android app, version 4.2.1",
        "due": 2,
        "body": """\
Some Android users are seeing the app close as soon as they open the basket. It seems to
affect version 4.2.1, mostly on Android 14.

While we investigate, please shop on the website: your basket is shared between the two, so
nothing is lost.

Next update within two hours.
""",
        "timeline": [
            (
                1.5,
                IDE,
                "Found it: the app crashes when the basket holds an item with a long "
                "substitution note. A fix is being tested now.\n\nIf you need the app in the "
                "meantime, removing substitution notes from your basket on the website stops the "
                "crash.",
                6,
            ),
            (
                5,
                MON,
                "Version **4.2.2** fixes the crash and is rolling out on Google Play now. It can "
                "take a few hours to reach every phone; look for it under *Manage apps & "
                "device*.",
                24,
            ),
            (
                27,
                RES,
                "4.2.2 has reached nearly every Android phone and crash reports are back to "
                "normal. Closing this one. Thank you to everyone who sent details; it helped us "
                "find the cause quickly.",
                None,
            ),
        ],
        "extra": [
            (
                "P",
                "Crashes the moment I tap the basket. Pixel 7, Android 14.",
                "That's exactly the pattern we've seen. Version 4.2.2 fixes it; if Google Play "
                "doesn't offer it yet, the website works in the meantime.",
            ),
            (
                "Q",
                "If I order on the website while the app is broken, will the order show up in "
                "the app later?",
                "Yes, orders placed on the website show in the app as soon as you're signed in.",
            ),
        ],
    },
    {
        "title": "Refunds to PayPal are taking longer than usual",
        "author": "priya",
        "when": 96,
        "category": "orders-refunds",
        "labels": ["Refunds", "PayPal"],
        "topic": "payment",
        "comments": 18,
        "affected_area": "Refunds to PayPal accounts",
        "due": 4,
        "body": """\
Refunds to PayPal usually arrive within a day. Since the weekend some have taken much longer,
and a few of you tell us you've been waiting four days.

Refunds to cards and gift cards are not affected.

Your refund is not lost: every refund we send has a reference, and we can see them leaving
our account. We're working out where they're getting stuck, and will update within four
hours.
""",
        "timeline": [
            (
                3,
                IDE,
                "PayPal changed how refunds from merchants like us are checked, and ours are "
                "being held for manual review on their side. We're talking to their merchant "
                "team.\n\nIf you'd rather not wait, we can send new refunds to a card instead: "
                "comment below or contact us.",
                24,
            ),
            (
                21,
                IDE,
                "PayPal have started releasing the held refunds, oldest first. About a third "
                "have now arrived. Next update within a day.",
                48,
            ),
            (
                50,
                MON,
                "PayPal have cleared the backlog: all 612 held refunds have been released, and "
                "new refunds are arriving within a day again. We'll keep watching for a few "
                "days before closing this.",
                118,
            ),
        ],
        "extra": [
            (
                "P",
                "PayPal says you haven't sent anything. You say you have. Who am I supposed to "
                "believe?",
                "Annoyingly, both are true: the refund for {order} has left us, and PayPal is "
                "holding it in a review queue, so it doesn't show on your side yet. We're "
                "pushing them to release it and will update the post.",
            ),
            (
                "Q",
                "Would it be quicker to have the refund sent to my card instead?",
                "For new refunds, yes: tell us and we'll send it to a card. Refunds already in "
                "PayPal's queue can't be redirected, sorry.",
            ),
        ],
    },
    {
        "title": "Missing items in some Manchester orders",
        "author": "lionel",
        "when": 50,
        "category": "orders-refunds",
        "labels": ["Manchester", "Missing items"],
        "topic": "missing",
        "city": MANCHESTER,
        "products": ["coffee beans", "oat milk", "halloumi", "bananas", "butter"],
        "comments": 18,
        "affected_area": "Orders picked at our Manchester (Trafford Park) store",
        "due": 6,
        "body": """\
Since yesterday many of you have told us items were missing from Manchester orders, even
though the receipt lists them as delivered.

We're sorry. If something is missing, report it in *Orders → Report a problem* and you'll be
refunded straight away.

We're looking into what's going wrong at our Trafford Park store and will update within six
hours.
""",
        "timeline": [
            (
                5,
                IDE,
                "The cause is a fault with some of the handheld scanners our pickers use: they "
                "mark an item as packed when it has only been scanned on the shelf. We're "
                "replacing the faulty scanners, and every bag from Trafford Park is checked "
                "twice before it's loaded.\n\nWe're going back through the last two days of "
                "orders to refund missing items automatically.",
                28,
            ),
            (
                27,
                IDE,
                "New scanners are in use on 9 of our 14 picking lanes, and reports of missing "
                "items have more than halved. Automatic refunds have gone out for 214 orders. "
                "The remaining scanners arrive tomorrow morning.",
                62,
            ),
        ],
        "extra": [
            (
                "P",
                "Missing the {product} and the bread, both on the receipt. Manchester again.",
                "That's the scanner fault, I'm afraid. I've refunded both items on {order}.",
            ),
            (
                "Q",
                "Do I need to report missing items, or will you refund them automatically?",
                "We're refunding orders we know were affected automatically, but please report "
                "anything we miss: it helps us find the orders.",
            ),
        ],
    },
    {
        "title": "Evening deliveries running late in Leeds and Bradford",
        "author": "lionel",
        "when": 30,
        "category": "deliveries",
        "labels": ["Leeds", "Bradford", "Delivery slots"],
        "topic": "late",
        "city": LEEDS + BRADFORD,
        "slot": ["6 to 8pm", "7 to 9pm", "8 to 10pm", "9 to 10pm", "6 to 7pm"],
        "comments": 27,
        "affected_area": "Evening deliveries (6 to 10pm) in Leeds and Bradford",
        "due": 3,
        "body": """\
Over the last two evenings many deliveries in Leeds and Bradford have arrived well after
their slot, some by more than an hour. Morning and afternoon slots are running on time.

If your delivery arrived more than an hour late, the delivery charge will be refunded
automatically. Please do tell us about anything that arrived warm or damaged.

We don't know the cause yet. We'll update this post within three hours.
""",
        "timeline": [
            (
                3,
                INV,
                "Drivers tell us the route planner is sending them back and forth across the "
                "city instead of in loops, adding 40 minutes or more to an evening round. We're "
                "checking whether last week's change to the slot times has confused it. Next "
                "update within five hours.",
                8,
            ),
            (
                9,
                INV,
                "Tonight we planned evening routes partly by hand, and about two thirds of "
                "deliveries were on time. That's still not good enough. The route planner's "
                "supplier is investigating with us.",
                20,
            ),
            (
                24,
                INV,
                "We still haven't found the cause. Tonight there are two extra vans in Leeds and "
                "routes are being planned by hand again. Next update within four hours.",
                28,
            ),
        ],
        "extra": [
            (
                "P",
                "Slot was {slot}, van turned up at half ten. Kids had cereal for tea.",
                "I'm so sorry. I've refunded the delivery charge on {order} and added £5 credit "
                "for the hassle. We don't know why the routes are going wrong yet, but we're on "
                "it.",
            ),
            (
                "Q",
                "Should I move my order to a morning slot to be safe?",
                "Morning and afternoon slots haven't been affected, so if that works for you, "
                "yes. Changing is free in *Orders → Change slot*.",
            ),
            (
                "P",
                "Second evening in a row. The tracking map showed the van driving past my street "
                "twice.",
                "That's the route planner problem in a nutshell, and I'm sorry. The delivery "
                "charge on {order} has been refunded.",
            ),
        ],
    },
    {
        "title": "Some customers can't sign in to the iPhone app",
        "author": "lionel",
        "when": 5,
        "category": "the-app",
        "labels": ["App", "iPhone"],
        "topic": "app",
        "comments": 13,
        "affected_area": "Signing in to the iPhone app",
        "due": 1,
        "body": """\
For the last hour or so, some customers haven't been able to sign in to the iPhone app: the
sign-in button spins and nothing happens. Android and the website are working normally.

If you're already signed in, stay signed in; the app works as usual.

You can shop on the website in the meantime, and your basket and orders are shared with the
app. We'll update within the hour.
""",
        "timeline": [
            (
                1,
                INV,
                "Only people signing in with an e-mail address and password are affected; "
                "*Sign in with Apple* works. We're looking at a change to our sign-in service "
                "made yesterday. Next update within six hours.",
                6,
            ),
        ],
        "extra": [
            (
                "P",
                "Can't sign in on my iPhone, it just spins. The website works fine.",
                "That's the same problem, thanks for confirming. Until it's fixed, the website "
                "works and your basket is shared with the app.",
            ),
            (
                "Q",
                "Will my basket still be there when it's fixed?",
                "Yes, baskets are saved to your account, not to the phone.",
            ),
        ],
    },
]

# --- Comment material ----------------------------------------------------------------
#
# Per topic, items of four kinds: P(roblem), Q(uestion), T(hanks), S(uggestion). Each is
# (customer's text, the substance of the staff reply). Placeholders are filled per comment.

TOPICS: dict[str, dict[str, Any]] = {
    "late": {
        "products": ["shopping"],
        "P": [
            (
                "Order {order} was booked for {slot} and the driver still hasn't turned up. The "
                "tracking page has said 'on its way' for two hours.",
                "I've checked {order}: the van is running about 90 minutes behind after earlier "
                "drops overran. If it arrives more than an hour after your slot, the delivery "
                "charge is refunded automatically.",
            ),
            (
                "I planned dinner around a {slot} delivery. It's well past that now and I have "
                "no food, no update and no way to reach the driver.",
                "You should never be left guessing like that. {order} is on the van and about "
                "40 minutes away. I've refunded the delivery charge and reported that the "
                "contact-the-driver button didn't work for you.",
            ),
            (
                "We had frozen things in this order. By the time it reached {city} everything had "
                "defrosted.",
                "Please don't keep anything that arrived thawed. I've refunded the frozen items "
                "on {order}; the money will be back in 3 to 5 working days. We're also checking "
                "why the cool boxes weren't swapped on that van.",
            ),
            (
                "Fourth late delivery in a row to {city}. At what point do I just go back to the "
                "supermarket?",
                "Four in a row is a pattern, not bad luck. I've refunded your last delivery "
                "charge and asked the route planners to look at why {city} keeps slipping.",
            ),
            (
                "Driver left the bags on the doorstep without knocking, in the rain, an hour late.",
                "That's not how our drivers are meant to work: they should always knock and "
                "wait. I've passed this to the depot manager with {order} and refunded the "
                "delivery charge. If anything was damaged, reply here and I'll refund that too.",
            ),
            (
                "Got a text saying my order was 'delivered'. It wasn't. Nothing on the step, "
                "nothing with the neighbours.",
                "That's worrying, and I'm sorry. The driver's photo for {order} shows a "
                "different door, so I've asked the depot to check with them straight away. If "
                "it isn't found today, we'll refund the whole order.",
            ),
        ],
        "Q": [
            (
                "If my slot is missed, do I get the delivery charge back automatically or do I "
                "have to ask?",
                "It's automatic: if we arrive more than an hour after the end of your slot, the "
                "charge is refunded without you asking. It can take a day to show on your "
                "account.",
            ),
            (
                "Can I change my slot once the order has been picked, or is it too late then?",
                "Until the van is loaded you can change it in *Orders → Change slot*. After that "
                "it's fixed, but ask here and we'll try.",
            ),
            (
                "Is there any way to see where the van actually is, rather than just 'out for "
                "delivery'?",
                "Yes: about 30 minutes before you're due, the tracking page switches to a live "
                "map. If you don't see the map, the driver hasn't started your part of the "
                "round yet.",
            ),
            (
                "Do you deliver to {city} on Sundays now? The app shows no slots but a friend "
                "got one.",
                "We do, but Sunday slots in {city} are limited and go quickly. New ones open at "
                "8pm each evening, seven days ahead.",
            ),
        ],
        "T": [
            (
                "The driver today was lovely, carried everything up three floors without a word "
                "of complaint. Please pass on my thanks.",
                "That's so kind of you. I've passed it on to the depot so it reaches the driver.",
            ),
            (
                "Arrived ten minutes early and everything that should be cold was cold. Nice work.",
                "Lovely to hear, thank you! I'll tell the team.",
            ),
            (
                "Thanks for the honest updates. Much better than silence.",
                "Thank you. We'd rather tell you what we know than leave you guessing.",
            ),
        ],
        "S": [
            (
                "Could you text when the driver is one stop away? The tracking page is fine but "
                "I'm not staring at it all evening.",
                "Good idea, and one we hear a lot. I've added your vote to the request for "
                "one-stop-away texts with the app team.",
            ),
            (
                "Let us save a safe-place note once and reuse it for every order.",
                "You can already: *Account → Delivery preferences → Safe place* keeps it for "
                "every order. I agree it's well hidden, so I've flagged that too.",
            ),
        ],
    },
    "missing": {
        "products": ["oat milk", "coffee beans", "chicken thighs", "cheddar", "hummus"],
        "P": [
            (
                "Half my order is missing. No {product}, no eggs, and the receipt says they were "
                "packed.",
                "I can see the gaps on {order}. I've refunded the missing items in full; you'll "
                "see it in 3 to 5 working days.",
            ),
            (
                "I got a substitution I'd specifically said no to. Why have the option if it's "
                "ignored?",
                "You're right, that shouldn't happen when you've opted out. I've refunded the "
                "substitute on {order} and asked the picking team why your choice wasn't "
                "followed.",
            ),
            (
                "Paid for {product} and got something completely different. Not even close.",
                "That's a wrong pick, not a substitution. I've refunded it; no need to send it "
                "back.",
            ),
            (
                "Third time my eggs have arrived cracked. Does anyone check them before they go "
                "in the bag?",
                "They're meant to be checked at packing and again at the van. I've refunded the "
                "eggs on {order} and logged it so the team can see the pattern.",
            ),
            (
                "The {product} I ordered was swapped for a brand I'm allergic to. That could have "
                "been serious.",
                "That's exactly what must never happen, and I'm very sorry. I've refunded it, "
                "marked the product as never-substitute on your account and raised it with the "
                "store manager today.",
            ),
        ],
        "Q": [
            (
                "If something is missing, do I report it here or in the app?",
                "The quickest way is the app: *Orders → Report a problem* refunds most missing "
                "items straight away. You're welcome to ask here too.",
            ),
            (
                "How long do refunds for missing items take to show up?",
                "We send them the same day; most banks show them in 3 to 5 working days.",
            ),
            (
                "Can I see what's been substituted before the driver arrives?",
                "Yes: substitutions appear on the order page about an hour before your slot, "
                "and in the text we send when the van leaves.",
            ),
        ],
        "T": [
            (
                "Reported a missing item and the refund was there within the hour. Impressed.",
                "Thank you, that's how it's meant to work and it's good to hear it did!",
            ),
            (
                "Honestly the substitutions have been great lately. The {product} swap was a win.",
                "Ha, glad it worked out! Thanks for telling us.",
            ),
        ],
        "S": [
            (
                "Let me choose a backup item myself instead of leaving it to the picker.",
                "We like this a lot: choosing your own backup is planned for the app this year. "
                "I've added your comment to it.",
            ),
            (
                "Put a sticker on the bag saying what was substituted. I never notice until I'm "
                "cooking.",
                "Simple and sensible. I've passed it on to the packing team.",
            ),
        ],
    },
    "app": {
        "products": ["the app"],
        "P": [
            (
                "The app logs me out every single time I open it. I've reset my password twice "
                "because of it.",
                "Could you check you're on the latest version (*Settings → About*)? If you are, "
                "tell me your phone model and I'll take it to the app team.",
            ),
            (
                "App crashed halfway through checkout and now I don't know whether I've paid.",
                "I can see one order, {order}, paid once. If your bank shows a second pending "
                "payment, it's a hold that drops off within 3 working days.",
            ),
            (
                "My basket keeps emptying itself. Twenty minutes on a big shop, gone.",
                "That's maddening after a big shop. Baskets are saved to your account, so signing "
                "out and in again usually brings it back. If not, tell me roughly when and we'll "
                "restore it.",
            ),
            (
                "The update moved everything around and I can't find my favourites any more.",
                "They're still there, just moved: tap *Usuals* at the bottom. I agree the change "
                "could have been explained better, and I've passed that on.",
            ),
        ],
        "Q": [
            (
                "Is there a version for older iPhones? Mine won't install the update.",
                "The app needs iOS 16 or newer. On older phones the website works well in "
                "Safari, and you can add it to your home screen.",
            ),
            (
                "Can two of us in the same house use one account on two phones?",
                "Yes: sign in with the same details on both phones and the basket syncs between "
                "them.",
            ),
            (
                "Does the app work with a screen reader? My dad uses VoiceOver.",
                "It does, and we test each release with VoiceOver and TalkBack. If a screen "
                "doesn't read properly, please tell us which one; we treat that as a bug.",
            ),
        ],
        "T": [
            (
                "The reorder button is brilliant. Weekly shop done in about two minutes.",
                "Love to hear it, thank you! I'll pass it on to the app team.",
            ),
            (
                "App is so much faster since the last update. Whatever you did, keep doing it.",
                "Thanks! The app team will be very pleased to read this.",
            ),
        ],
        "S": [
            (
                "Please add a dark mode. Checking my order at midnight is like looking at the sun.",
                "Dark mode is on the list and I've added your vote. No date yet, sorry.",
            ),
            (
                "Would love to be able to split one basket into two deliveries.",
                "Interesting idea. I've passed it on to the product team.",
            ),
        ],
    },
    "payment": {
        "products": ["the weekly shop"],
        "P": [
            (
                "I've been charged twice for {order}. Two payments on my card, one delivery.",
                "There's only one payment taken for {order}; the second is a card hold that "
                "your bank will release within 3 working days. If it's still there after that, "
                "reply here and I'll chase it.",
            ),
            (
                "Refund promised a week ago and still nothing in my account.",
                "The refund for {order} left us on {day}. Banks can take up to 5 working days; "
                "if it's not there by then, reply here and I'll get you a reference your bank "
                "can trace.",
            ),
            (
                "Card declined at checkout three times, and my bank says there's nothing wrong "
                "with the card.",
                "That points to our side rather than your card. Could you try once more? If it "
                "fails again, tell me the time and I'll look it up in the payment logs.",
            ),
            (
                "Why did my total go up after delivery? I paid more than the basket said.",
                "For weighed items (fruit, meat, cheese) we charge the actual weight. On {order} "
                "the difference was a heavier-than-average joint of beef; the receipt shows the "
                "weights.",
            ),
        ],
        "Q": [
            (
                "Do you take Apple Pay on the website or only in the app?",
                "Both: Apple Pay works on the website in Safari as well as in the app.",
            ),
            (
                "When exactly is my card charged: when I order, or when it's delivered?",
                "We place a hold when you order and take the actual amount on delivery day, once "
                "we know the weights and any substitutions.",
            ),
            (
                "If I pay with a gift card and part of the order is refunded, where does the "
                "money go?",
                "Back to the gift card, up to the amount you paid with it; anything above that "
                "goes to your card.",
            ),
        ],
        "T": [
            (
                "Refund came through in two days, much quicker than I expected. Thanks.",
                "Glad it was quick, thanks for letting us know!",
            ),
            (
                "Thanks for explaining card holds. That had me confused for ages.",
                "Happy it helped! It confuses a lot of people, which is why we wrote it up.",
            ),
        ],
        "S": [
            (
                "Send an e-mail when a refund is issued, with the amount. I never know what's "
                "been refunded.",
                "We do send one, but it's easy to miss: it comes from refunds@ rather than our "
                "usual address. I've suggested we make it clearer.",
            ),
            (
                "Let me keep refunds as credit on my account instead of waiting for the bank.",
                "Good one: credit would be instant. I've passed it on.",
            ),
        ],
    },
    "recall": {
        "products": ["oat milk"],
        "P": [
            (
                "I've already drunk half a carton from that batch. Should I be worried?",
                "The risk is small pieces of cap, which you'd most likely have noticed. If you "
                "feel unwell, call NHS 111 as you normally would. I've refunded the carton on "
                "{order}.",
            ),
            (
                "Found out from the news before I heard from you. Not great.",
                "That's fair. Our texts went out in batches and some were too slow; we're "
                "changing that so a recall reaches everyone within the hour.",
            ),
            (
                "My carton says 24B but a different date. Is it affected or not?",
                "Only 24B cartons with best-before dates from the 14th to the 21st are affected. "
                "Other dates are fine, but if you'd rather not keep it, I'm happy to refund it "
                "anyway.",
            ),
        ],
        "Q": [
            (
                "Do I need to send the carton back?",
                "No, just pour it away and recycle the carton. The refund doesn't depend on it.",
            ),
            ("Are the 2 litre cartons affected too?", "No, only the 1 litre cartons from 24B."),
            (
                "Is it safe to buy Highfield again?",
                "Yes: the fault was one capping machine, which has been repaired and inspected.",
            ),
        ],
        "T": [
            (
                "Got the text and the refund the same day. That's how it should be done.",
                "Thank you, we're glad it reached you quickly.",
            ),
            ("Thanks for being upfront about this.", "Thank you for saying so."),
        ],
        "S": [
            (
                "Put recall notices on the app's home screen too, not just in texts.",
                "Agreed. A home-screen banner is being added for the next recall, though we hope "
                "we won't need it.",
            ),
        ],
    },
    "food": {
        "products": ["sourdough", "tomatoes", "strawberries"],
        "P": [
            (
                "My {product} arrived squashed under a bag of potatoes. Tasted fine, looked "
                "tragic.",
                "Heavy things should always go in first. I've refunded the {product} on {order} "
                "and mentioned it to the packing team.",
            ),
            (
                "Third week in a row the {product} has been out of stock when I order.",
                "It's still on sale; demand has been higher than we planned for. Stock should be "
                "steadier from next week.",
            ),
            (
                "The {product} I got this week was past its best on the day it arrived.",
                "That's not good enough for something delivered that morning. I've refunded it "
                "on {order} and passed it on to the buyers, who check every supplier's "
                "deliveries.",
            ),
        ],
        "Q": [
            (
                "Where do you get the {product} from?",
                "From growers and bakers within about 60 miles of our stores; each product page "
                "names them.",
            ),
            (
                "Can I freeze the {product}?",
                "Most things freeze well: bread sliced first, soft fruit spread out on a tray, "
                "vegetables blanched for a minute.",
            ),
            (
                "Is there an allergen list for the {product}?",
                "Every product page has the full ingredients and allergens under *Details*.",
            ),
        ],
        "T": [
            (
                "Honestly the best {product} I've had in years. Properly good.",
                "Thank you! We'll pass that on to the growers and bakers; they love hearing it.",
            ),
            (
                "Love seeing where the food comes from. More posts like this please.",
                "Thanks, more are on the way!",
            ),
            (
                "Fresh, on time, no plastic everywhere. Exactly what I wanted.",
                "Lovely to hear, thank you!",
            ),
        ],
        "S": [
            (
                "Please say on the product page which farm it came from that week.",
                "For most products we already do, under *Details*; I'll ask for it on the rest.",
            ),
        ],
    },
    "kitchenware": {
        "products": ["Ironside skillet", "Tidewater wok"],
        "P": [
            (
                "My {product} arrived with a chip in it. Not cheap for something damaged.",
                "That's not what you paid for. I've arranged a replacement for {order}, and the "
                "driver will collect the damaged one at the same time.",
            ),
            (
                "The {product} went rusty after one wash. Is that normal?",
                "It's usually the seasoning being washed off rather than a fault. Dry it on the "
                "hob and wipe with a little oil. If the rust comes back, we'll replace it.",
            ),
            (
                "Ordered the {product} two weeks ago and it still says 'awaiting stock'.",
                "The first shipment sold out fast. The next one is due on {day}, and your order "
                "is near the front of the queue.",
            ),
        ],
        "Q": [
            (
                "Does the {product} work on induction?",
                "Yes, the whole range works on induction, gas, electric and in the oven.",
            ),
            (
                "What's the guarantee on the {product}?",
                "Ten years against manufacturing faults, and you can return it within 30 days "
                "if you change your mind.",
            ),
            (
                "Can the {product} go in the dishwasher?",
                "Please don't: hand wash, dry straight away and oil lightly. Dishwashers strip "
                "the seasoning.",
            ),
        ],
        "T": [
            (
                "Bought the {product} last month and use it every day. Worth every penny.",
                "That's great to hear, thank you!",
            ),
            (
                "Great guide. I finally understand what 'seasoning' means.",
                "Glad it helped, thanks for reading!",
            ),
        ],
        "S": [
            (
                "Please sell replacement lids and handles separately.",
                "Good idea. I've passed it on to the buying team.",
            ),
            (
                "A short care video would help more than the leaflet.",
                "We're filming one now, as it happens; it'll be on the product page soon.",
            ),
        ],
    },
    "membership": {
        "products": ["Ladle Club"],
        "P": [
            (
                "So I pay the same every month and get less for it. Cheers.",
                "I understand why it feels that way. If it no longer works for you, cancel in "
                "*Account → Ladle Club* and we'll refund the rest of this month.",
            ),
            (
                "£40 means almost none of my orders qualify any more. There are only two of us.",
                "That's a fair point for smaller households. Under £40, members still pay £1.50 "
                "rather than £4.50. I've passed your comment to the team reviewing the change.",
            ),
            (
                "Two weeks' notice, and I'd just renewed for a year.",
                "If you renewed for a year before the announcement, you keep the £25 threshold "
                "until your renewal date. It should show in *Account → Ladle Club*.",
            ),
            (
                "I signed up for free delivery. This feels like bait and switch.",
                "I'm sorry it feels like that. You can cancel any time and get a refund for the "
                "unused part of this month.",
            ),
        ],
        "Q": [
            (
                "Does the new threshold count before or after vouchers?",
                "Before vouchers: the basket total is what counts.",
            ),
            (
                "If I cancel now, do I lose member prices straight away?",
                "You keep member prices until the end of the month you've paid for.",
            ),
            (
                "Does the change apply to click & collect as well?",
                "No, click & collect stays free for everyone, members or not.",
            ),
        ],
        "T": [
            (
                "Still worth it for me. Thanks for explaining why rather than just doing it.",
                "Thanks, we wanted to be straight about the reasons.",
            ),
        ],
        "S": [
            (
                "Offer a cheaper plan for smaller households with fewer free deliveries.",
                "That's exactly what the team is looking at. I've added your suggestion to their "
                "notes.",
            ),
            (
                "Keep the old threshold for people who've been members for years.",
                "I'll pass that on; loyalty has come up a lot in these comments.",
            ),
        ],
    },
    "store": {
        "products": ["weekly shop"],
        "P": [
            (
                "Turned up at {store} for click & collect and waited 25 minutes. The whole point "
                "is that it's quick.",
                "That's far too long; collection should take five minutes. I've passed your "
                "comment and the time you came to the {store} team.",
            ),
            (
                "The lockers at {store} wouldn't accept my code.",
                "Codes expire at the end of your collection window; if you were within it, "
                "something went wrong. I've asked the store to check the lockers.",
            ),
            (
                "Parking at {store} is a nightmare at five o'clock.",
                "Fair point, the bays fill up after work. I'll ask about marking two more bays "
                "for click & collect.",
            ),
        ],
        "Q": [
            (
                "What are the click & collect hours at {store}?",
                "8am to 9pm every day, and 10am to 4pm on bank holidays.",
            ),
            (
                "Can someone else collect my order for me?",
                "Yes: forward them the code from your confirmation text; that's all they need.",
            ),
            (
                "Is there a minimum spend for click & collect?",
                "£15, and it's free for everyone.",
            ),
        ],
        "T": [
            (
                "Collected in under two minutes. Lovely staff at {store} too.",
                "Great to hear, I'll pass it on to the {store} team!",
            ),
        ],
        "S": [
            (
                "Put a sign outside {store} pointing to the collection door. I walked round the "
                "building twice.",
                "Ha, fair! I've asked the store for a proper sign.",
            ),
        ],
    },
    "general": {
        "products": ["groceries"],
        "P": [
            (
                "Nice blog, but I'd rather you answered my e-mail from last week.",
                "If you reply here with roughly when you wrote, I'll find your e-mail and answer "
                "it today.",
            ),
            (
                "Took three days to get a reply the last time I contacted you.",
                "That's too slow; we aim for the same day. We're adding evening cover to the "
                "team this month, which should help.",
            ),
        ],
        "Q": [
            (
                "Will you post delivery problems here too, or just news?",
                "Both. Any problem affecting lots of customers goes up here as a known issue, "
                "with updates.",
            ),
            (
                "Can I follow just the known issues?",
                "Yes: the Known issues page has its own feed, and you can follow any single post "
                "to get its updates by e-mail.",
            ),
            (
                "Who actually reads these comments?",
                "We do: the customer care team reads and answers every comment here.",
            ),
        ],
        "T": [
            (
                "Good idea, this. Nice to see actual names instead of a logo.",
                "Thank you! That was exactly the point.",
            ),
            (
                "Welcome to the internet, Larder & Ladle. Looking forward to the posts.",
                "Thanks, glad to have you here!",
            ),
        ],
        "S": [
            (
                "Put your opening hours and phone number somewhere obvious.",
                "Good shout. They're on the Contact page, but I'll ask for a link from the blog "
                "too.",
            ),
        ],
    },
}

OPENERS = {
    "angry": [
        "Not good enough.",
        "Honestly, this is getting ridiculous.",
        "Third time this month.",
        "Really disappointed.",
        "I'm fuming.",
        "Unacceptable.",
        "",
        "",
    ],
    "worried": [
        "Bit worried now.",
        "Sorry if this has been asked already.",
        "Slightly panicking here.",
        "Hoping someone can help.",
        "Hi,",
        "",
    ],
    "sarcastic": [
        "Oh good, this again.",
        "Brilliant. Just brilliant.",
        "Love that for me.",
        "Well, that's just great.",
        "Another triumph.",
    ],
    "question": ["Hi,", "Quick question:", "Hello!", "", "", "Hi all,", "Hi there,"],
    "thanks": ["", "", "Credit where it's due.", "Just a quick thank you.", "Hi!"],
    "suggestion": ["Suggestion:", "An idea:", "One small thing.", "Feature request:", "", ""],
}
SARCASM_BY_TOPIC = {
    "late": ["Great, another delay.", "Ah yes, the famous 'slightly delayed'."],
    "app": ["Great, another update that breaks things."],
    "membership": ["Great: pay the same, get less.", "Love a 'changes to serve you better' post."],
    "payment": ["Nothing says customer service like holding on to my money."],
}
CLOSERS = {
    "angry": [
        "Sort it out.",
        "I want a proper answer, not another 'we're looking into it'.",
        "Seriously thinking about cancelling.",
        "Not impressed.",
        "Fix it.",
        "",
    ],
    "worried": [
        "Is there anything I need to do?",
        "Should I be worried?",
        "Thanks in advance.",
        "Any advice appreciated.",
        "",
    ],
    "sarcastic": [
        "Can't wait for the next one.",
        "Five stars, would be annoyed again.",
        "Living the dream.",
        "🙃",
        "",
    ],
    "question": ["Thanks!", "Cheers.", "", "Thank you.", "Ta.", ""],
    "thanks": ["Keep it up!", "🙂", "Thanks again.", "", "Cheers!"],
    "suggestion": ["Just a thought.", "Would make my week.", "", "Thanks for listening."],
}
ME_TOO = [
    "Same here.",
    "Same problem in {city}.",
    "+1",
    "Exactly this.",
    "Me too, order {order}.",
    "Same for me. Following.",
    "Can confirm, same thing here.",
    "Same. Any news?",
    "Yep, us too.",
    "This. Exactly this.",
]
ME_TOO_REPLY = {
    "issue": [
        "Sorry you're caught up in this too. We'll keep updating the post above; follow it to "
        "get each update by e-mail.",
        "Thanks for letting us know it's affecting you as well. Updates will go on the post "
        "as soon as we have them.",
    ],
    "article": [
        "Thanks for adding your voice; it helps us see how many people this affects.",
        "Noted, thank you. I've added your comment to the others so the team sees them all.",
    ],
}
THANKS_BACK = [
    "Thanks {staff}, that's sorted it.",
    "Brilliant, thank you!",
    "Got it, thanks for the quick reply.",
    "Perfect, cheers.",
    "Ah, that makes sense. Thanks!",
    "Thank you, appreciated.",
    "Thanks {staff} 👍",
]
GREETINGS = ["Hi {name},", "Hello {name},", "Hi {name},", "{name}, thanks for writing."]
EMPATHY = {
    "angry": [
        "I'm really sorry, and you're right to be annoyed.",
        "Sorry, that's not the service we promise.",
        "I understand the frustration, and I'm sorry.",
    ],
    "worried": ["Sorry for the worry.", "Happy to help.", "Thanks for asking."],
    "sarcastic": ["Fair, we've earned that one.", "I hear you, and I'm sorry.", "Point taken."],
}
CLOSINGS = {
    "P": ["If anything else is wrong, just reply here.", "Sorry again for the trouble.", ""],
    "Q": ["", "", "Hope that helps!"],
}
INLINE_GREETINGS = ["Hi {name}!", "Thanks, {name}.", "Hello {name}!"]
# Thanks on a known issue: for the updates while it lasts, for the fix afterwards.
ISSUE_THANKS = {
    "open": [
        (
            "Thanks for the updates, much better than finding out from the news.",
            "Thank you for your patience; we'll keep the updates coming.",
        ),
        ("Appreciate the honesty. Hope it's sorted soon.", "Thanks, so do we!"),
        (
            "Good to know it's not just me. Thanks for posting this.",
            "Thanks. Follow the post and you'll get each update by e-mail.",
        ),
    ],
    "fixed": [
        ("Working again here, thanks!", "Great, thanks for letting us know."),
        ("All fine now. Thanks for keeping us posted.", "Thank you for bearing with us."),
        ("Thanks for sorting it so quickly.", "Thanks! We'll pass that on to the team."),
    ],
}
# After a fix, some people say so.
GRUMBLES = [
    "Took long enough.",
    "Fixed, finally. I was starting to think it never would be.",
    "Good that it's sorted, but a day's notice would have helped.",
    "Great, now can we have a few weeks without one of these?",
]
GRUMBLE_REPLIES = [
    "Fair. It took longer than it should have, and we're looking at why.",
    "That's reasonable. We'll write up what went wrong and what we're changing.",
]
SIGN_OFFS = ["{staff}", "Thanks, {staff}", "Best, {staff}", "Take care, {staff}", "{staff}"]

MIXES = {
    "issue": {
        "angry": 24,
        "worried": 16,
        "sarcastic": 14,
        "question": 18,
        "metoo": 16,
        "thanks": 8,
        "suggestion": 4,
    },
    "article": {
        "question": 32,
        "thanks": 26,
        "suggestion": 16,
        "angry": 8,
        "worried": 6,
        "sarcastic": 6,
        "metoo": 6,
    },
    "controversial": {
        "angry": 32,
        "sarcastic": 24,
        "question": 16,
        "suggestion": 12,
        "worried": 6,
        "thanks": 6,
        "metoo": 4,
    },
    "after_fix": {"thanks": 50, "question": 30, "grumble": 20},
}
TONE_KIND = {
    "angry": "P",
    "worried": "P",
    "sarcastic": "P",
    "question": "Q",
    "thanks": "T",
    "suggestion": "S",
}
# Who answers what; Bea covers evenings.
ANSWERERS = {
    "late": ["tomasz", "tomasz", "alex"],
    "missing": ["tomasz", "alex"],
    "app": ["alex"],
    "payment": ["alex", "priya"],
    "recall": ["alex", "priya"],
    "food": ["alex", "lionel"],
    "kitchenware": ["alex", "lionel"],
    "membership": ["priya", "alex"],
    "store": ["alex"],
    "general": ["lionel", "alex"],
}
SPAM = [
    (
        "Knife Deals UK",
        "Chef knives 70% off today only!!! Best quality, free shipping → "
        "https://cheap-knives.example/deal",
    ),
    (
        "Home Chef Income",
        "I made £3,000 last week from cooking videos at home. Message me to learn how "
        "https://easy-money.example",
    ),
]

FIRST_NAMES = [
    "Hannah",
    "Dev",
    "Chloe",
    "Tom",
    "Aisha",
    "Gareth",
    "Priyanka",
    "Liam",
    "Sophie",
    "Kwame",
    "Ellie",
    "Rob",
    "Fatima",
    "Jack",
    "Zoe",
    "Imran",
    "Megan",
    "Callum",
    "Niamh",
    "Oliver",
    "Grace",
    "Tariq",
    "Lucy",
    "Ben",
    "Amara",
    "Rhys",
    "Holly",
    "Marek",
    "Leah",
    "Connor",
    "Yasmin",
    "Owen",
    "Freya",
    "Daniel",
    "Nadia",
    "Josh",
    "Ruth",
    "Kieran",
    "Harriet",
    "Mo",
    "Bethany",
    "Sanjay",
    "Olivia",
    "Ewan",
    "Abi",
    "Pete",
    "Jas",
    "Katie",
    "Lewis",
    "Bronwen",
    "Ade",
    "Claire",
    "Stefan",
    "Helen",
    "Femi",
    "Rachel",
    "Jamie",
    "Agnieszka",
    "Martin",
    "Sian",
]
LAST_NAMES = [
    "Price",
    "Patel",
    "Walsh",
    "Brennan",
    "Khan",
    "Hughes",
    "Nair",
    "O'Connor",
    "Turner",
    "Mensah",
    "Barker",
    "Lloyd",
    "Hussain",
    "Doyle",
    "Clarke",
    "Ahmed",
    "Fletcher",
    "Reid",
    "Gallagher",
    "Shaw",
    "Okonkwo",
    "Morgan",
    "Ali",
    "Evans",
    "Wright",
    "Kowalski",
    "Chapman",
    "Bell",
    "Rahman",
    "Jenkins",
    "Sutherland",
    "Davies",
    "Sharma",
    "Fox",
    "Lewandowski",
    "Pearce",
    "Adeyemi",
    "Hall",
    "Murray",
    "Byrne",
]
SLOTS = [
    "7 to 9am",
    "8 to 10am",
    "10am to 12pm",
    "12 to 2pm",
    "4 to 6pm",
    "6 to 8pm",
    "7 to 9pm",
    "8 to 10pm",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
ALL_CITIES = LEEDS + BRADFORD + MANCHESTER + BRISTOL + ["York", "Harrogate", "Wakefield"]
STORES = ["Kirkstall Road", "Temple Quay", "Trafford Park", "Forster Square"]

N_PERSONS = 120
N_REGULARS = 16
MAX_LEFT_HELD = 5

# --- Canned replies and the crisis playbook ----------------------------------------------
#
# Shared replies (title, department slug, text with fields), kept by the head of service.
# The playbook is ready to start; the demo never starts it.

CANNED_REPLIES = [
    (
        "Where is my order?",
        "deliveries",
        "Hi {first_name},\n\nSorry your order has not reached you yet. Could you send me the "
        "order number (it starts with LL-)? I will find out where the van is and come back to "
        "you today.\n\n{agent_name}",
    ),
    (
        "Refund on its way",
        "orders-refunds",
        "Hi {first_name},\n\nI have refunded the missing items to the card you paid with. "
        "Your bank usually shows it within three to five working days.\n\nThanks for your "
        "patience,\n{agent_name}",
    ),
    (
        "Courier delay: we are on it",
        "deliveries",
        "Hi {first_name},\n\nI am sorry: our courier partner has an outage today, so some "
        "deliveries are running late. Everything we know is on this page, updated at least "
        "every hour: {link}\n\nFollow it and you will hear from us as soon as there is news. "
        "Nothing is lost, and chilled items are checked before they leave the depot.\n\n"
        "{agent_name}",
    ),
]

PLAYBOOK = {
    "name": "Courier outage",
    "description": "Our courier partner's vans or systems are down and deliveries run late. "
    "Start it once the depot confirms; end it when the vans are back on schedule.",
    "replies": ["Courier delay: we are on it", "Where is my order?"],
    "issue_title": "Deliveries delayed: our courier partner has an outage",
    "issue_affected_area": "Home deliveries in all regions",
    "issue_body_md": "Our courier partner is having an outage, so today's deliveries are "
    "running late. Your order is safe and packed; chilled items stay in the cold store until "
    "the vans leave.\n\nWe will update this page at least every hour. Follow it to get each "
    "update by e-mail.",
    "issue_category": "deliveries",
    "next_update_minutes": 60,
}

# --- The desk: teams and e-mail cases ------------------------------------------------
#
# Teams: name, members (staff keys), address. Cases: customer login key, hours ago, subject,
# text, team or None, assignee key or None, and what happened: None (still waiting), or
# (hours after, the answer, outcome, rating or None, rating comment).
TEAMS = [
    ("Deliveries", ["tomasz", "alex"], f"deliveries@{DOMAIN}"),
    ("Billing", ["bea", "priya"], ""),
]
CASES = [
    ("maria", 74, "Refund for the cracked casserole dish",
     "Hello, the blue casserole dish from order 4471 arrived cracked down one side. "
     "Photo attached in spirit. Can I have my money back?",
     "Billing", "bea",
     (3, "Hi Maria, I am so sorry it arrived like that. The full £34.00 is on its way back "
         "to your card; you need not send the dish back.\n\nBea", "Refunded", 5,
      "Quick and friendly, thank you Bea.")),
    ("jonas", 50, "Voucher expired yesterday",
     "My £10 welcome voucher expired yesterday, I was ill all week. Can you extend it?",
     "Billing", "priya",
     (5, "Hi Jonas, I hope you are feeling better. Vouchers run for 30 days and we keep to "
         "that for everyone, so I cannot extend it, but our Thursday offers are open to all."
         "\n\nPriya", "Policy upheld", 2, "Rules are rules, I suppose.")),
    ("sam", 5, "Missing items from Tuesday's delivery",
     "Tuesday's order 5520 came without the oat milk and the eggs. Nothing in the app says "
     "they were substituted. What happened?",
     "Deliveries", None, None),
    ("maria", 2, "Allergen information for the oat biscuits",
     "Are your own-brand oat biscuits made in a factory that handles nuts? My son is allergic.",
     None, None, None),
]  # fmt: skip
