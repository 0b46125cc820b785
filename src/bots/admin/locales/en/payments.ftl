## Payment review
pay-approve = ✅ Approve
pay-reject = ❌ Reject
pay-approved = ✅ Approved. Every admin's copy now says so.
pay-rejected = ❌ Rejected. The customer was told why.
pay-already-approved = Already reviewed: approved by { $name }.
pay-already-rejected = Already reviewed: rejected by { $name }.
pay-ask-reason = Why is it rejected? Choose a reason or type one (the customer reads it).
pay-reason-rr0 = The amount does not match
pay-reason-rr1 = The receipt is not readable
pay-reason-rr2 = No transfer arrived
pay-reason-rr3 = This receipt was used before
pay-queue-title = 💰 <b>Receipts waiting</b>: { $count } (oldest first)
pay-queue-empty = Nothing is waiting. 🎉
pay-not-waiting = This receipt is no longer waiting.
pay-receipt = 🧾 Order #{ $order }
    👤 { $customer }
    📦 { $plan }
    💵 <b>{ $amount }</b>
    🔢 Tracking: { $tracking }
    📅 Sent: { $submitted }
