"""Which figure each budget limits, shared by the runner and the reports."""

# (column title, results key, budget key)
BUDGET_COLUMNS = (
    ("cycles/frame", "cycles_per_frame", "max_cycles_per_frame"),
    ("flash B", "flash_bytes", "max_flash_bytes"),
    ("RAM peak B", "ram_peak_bytes", "max_ram_bytes"),
    ("stack B", "stack_peak_bytes", "max_stack_bytes"),
)
