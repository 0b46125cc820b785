## Support tickets
menu-tkt = 💬 Tickets
cmd-tickets = Open support tickets
tkt-title = 💬 <b>Tickets waiting for an answer</b>: { $count } (oldest first)
tkt-none = No ticket is waiting. 🎉
tkt-thread = 💬 <b>{ $subject }</b> — { $status }
tkt-status-open = waiting for an answer
tkt-status-answered = answered
tkt-status-closed = closed
tkt-reply = ✍️ Reply
tkt-close = ✅ Close
tkt-customer = 👤 Customer
tkt-ask-reply = ✍️ Type your reply (the customer gets it in the shop bot).
tkt-replied = ✍️ Reply sent.
tkt-closed = Closed.
