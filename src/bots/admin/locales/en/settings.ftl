## Settings and failures
set-title = ⚙️ <b>Settings</b>
set-ask = ⚙️ <b>{ $name }</b>
    { $hint }
    Send the new value:
set-clear = 🗑 Clear
set-saved = ✅ Saved.
set-invalid = ❌ Not saved: { $reason }
    Send another value:
set-card-number = Card number
set-card-holder = Card holder
set-payment-deadline-minutes = Payment deadline
set-warning-traffic-percents = Traffic warnings
set-warning-expiry-hours = Expiry warnings
set-grace-days = Grace days
set-trial-plan-code = Trial plan
set-support-handle = Support handle
set-required-channel = Required channel
set-hint-card-number = Digits, spaces and dashes.
set-hint-card-holder = The name customers see.
set-hint-payment-deadline-minutes = Minutes a card payment stays open (5–10080).
set-hint-warning-traffic-percents = Percents of the quota, e.g. 80, 100
set-hint-warning-expiry-hours = Hours before expiry, e.g. 72, 24
set-hint-grace-days = Days before an ended subscription is deleted from the panel.
set-hint-trial-plan-code = The code of a plan marked as trial.
set-hint-support-handle = e.g. @support
set-hint-required-channel = e.g. @mychannel
fail-orders = 🧯 <b>Failed orders</b>: { $count }
fail-jobs = 🧯 <b>Failed jobs</b>: { $count }
fail-retry-order = 🔁 Order #{ $number }
fail-retry-job = 🔁 Job #{ $id }
fail-retried = Queued again.
set-daily-report-hour-utc = Daily report hour
set-hint-daily-report-hour-utc = UTC hour (0–23) of the daily report to every admin; Clear for none.
