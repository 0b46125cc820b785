## Subscriptions: moving one to another server.
sub-move = 🚚 Move to another server
sub-move-choose = 🚚 Move this subscription from <b>{ $from }</b> to which server?
    The client keeps its UUID and password, and the subscription link stays the same.
sub-move-none = There is no other active server to move it to.
sub-move-confirm = 🚚 Move this subscription from <b>{ $from }</b> to <b>{ $to }</b>?
    It is created on { $to } and then removed from { $from }; the customer's subscription link does not change.
sub-move-running = ⏳ Moving from <b>{ $from }</b> to <b>{ $to }</b>…
sub-move-done = ✅ Moved from <b>{ $from }</b> to <b>{ $to }</b>. The subscription link is unchanged.
sub-move-failed = ❌ Not moved from <b>{ $from }</b> to <b>{ $to }</b>; it stays where it was.
    Reason: <code>{ $reason }</code>
sub-move-back = 📶 Back to the subscription
