"""Posts: caption rules, counting by each platform's rules, export bundles."""
