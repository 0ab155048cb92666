"""``genaiops add`` into a repository genaiops did not generate: read it, plan, adapt.

The repository is read once with the assess collectors (``generator.assess.inventory``);
each capability has a planner that turns that inventory into a :class:`~generator.add.plan.Plan`:
what is added, what the repository already has and is reused, what is skipped and why, the
answers the template renders with (recorded, so ``genaiops update`` renders the same), and the
few edits genaiops makes itself (one ``include`` line in a Makefile, a dataset skeleton).
"""
