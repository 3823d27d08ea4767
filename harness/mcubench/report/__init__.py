"""What people read: terminal tables, Markdown, JUnit, the gate against a baseline, and
charts (which only draw: the data comes in finished)."""
