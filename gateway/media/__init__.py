"""Pictures and video of published announcements: which accounts need them, where their bytes
live, the `media` queue's video task, and the public files under the verification page."""
