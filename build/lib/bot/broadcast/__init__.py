"""Broadcasts: a durable outbox (`outbox`), who gets what (`audience`, `render`), the sender
(`sender`, `limits`, `lease`), forums admins announce (`forums`, `reminders`, `ics`), the admin
flows (`flows`) and the wiring into a running bot (`runtime`). See README, "Broadcasts".
"""
