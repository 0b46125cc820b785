## Dashboard
dash-title = 📊 <b>Dashboard</b>
dash-customers = 👥 Customers: { $total } (today: { $today })
dash-active-subs = 📶 Active subscriptions: { $count }
dash-revenue = 💵 Revenue today: { $today } · last 7 days: { $week } · last 30 days: { $month }
dash-orders-today = 🧾 Orders paid today: { $count }
dash-receipts = 💰 Receipts waiting: { $count }
dash-failed = 🧯 Failed orders: { $count }
dash-servers = 🖥 <b>Servers</b> (active / capacity, load)
dash-no-servers = No servers yet.
dash-refresh = 🔄 Refresh
dash-refreshed = Updated
