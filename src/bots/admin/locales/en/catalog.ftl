## Plans and discount codes
plans-title = 📦 <b>Plans</b> (press to activate or deactivate)
plans-none = No plans yet.
codes-title = 🏷 <b>Discount codes</b> (press to disable)
codes-none = No discount codes yet.
