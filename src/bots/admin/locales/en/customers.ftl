## Customers
cust-ask-search = 🔎 Send a Telegram id, an @username or an order number.
cust-none-found = Nobody found.
cust-found = { $count } customers found:
cust-search-again = 🔎 Search again
cust-profile = 👤 <b>{ $name }</b>
    Telegram id: <code>{ $tg }</code>
    Status: { $status }
    Joined: { $joined }
    💰 Wallet: { $balance }
cust-active = active
cust-banned = ⛔ banned
cust-subs = 📶 Subscriptions: { $count }
cust-orders = 🧾 Latest orders:
cust-ban = ⛔ Ban
cust-unban = ✅ Unban
cust-banned-done = Banned.
cust-unbanned-done = Unbanned.
cust-message = ✉️ Message
cust-wallet = 💰 Adjust wallet
cust-grant = 🎁 Grant a plan
cust-message-ask = ✉️ Type the message for this customer (plain text).
cust-message-sent = ✉️ Sent through the shop bot.
cust-wallet-ask-amount = 💰 How much? A positive number adds, a negative number takes away (Toman).
cust-wallet-bad-amount = That is not an amount. Send a whole number such as 50000 or -20000.
cust-wallet-ask-reason = Why? (the reason is kept in the ledger)
cust-wallet-confirm = Adjust the wallet by <b>{ $amount }</b>?
    Reason: { $reason }
cust-wallet-done = 💰 Done. New balance: { $balance }
cust-grant-choose = 🎁 Which plan do you give for free?
cust-grant-done = 🎁 Granted (order #{ $order }). The customer receives the config shortly.
sub-detail = 📶 <b>{ $plan }</b> — { $status }
    🖥 { $server }
    📊 { $used } / { $quota } { $bar }
    📅 Expires: { $expires }
    🔗 <code>{ $url }</code>
sub-enable = ▶️ Enable
sub-disable = ⏸ Disable
sub-enabled = Enabled.
sub-disabled = Disabled.
sub-reset = ♻️ Reset traffic
sub-reset-queued = Traffic reset is on its way to the panel.
sub-extend = ➕ Extend
sub-extend-ask = How many days to add? (1–3650)
sub-extended = Extended.
sub-refresh = 🔄 Refresh
sub-customer = 👤 Customer
cust-tickets = 💬 Latest tickets:
