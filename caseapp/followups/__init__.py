"""Follow-ups (bevakningar): dated promises on a case, their reminders and calendar feed."""
