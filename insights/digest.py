def send_weekly_digest(today=None) -> int:
    return 0
