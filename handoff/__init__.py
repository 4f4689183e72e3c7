"""Live handoff: a user asks for a person, staff answer from the console, and the bot
stays quiet for that user until they, or staff, hand the conversation back.

A feature on the floor of channels/knowledge/matching/registration: it imports only
`core/` and `language/`. The composition root registers `HandoffSkill`, lets it see
every turn first (`gate`), and hands it to the knowledge skill's "talk to staff" button
through `core.staff.StaffHandoff`.
"""
