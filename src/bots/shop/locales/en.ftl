## Shop bot texts (English). Sections follow the features; fa.ftl has the same ids (a test checks it).
## HTML parse mode: every value a user or the API provides is escaped before it is put in a message.

## Start, language, main menu
start-choose-language = Please choose your language. / لطفاً زبان خود را انتخاب کنید.
lang-fa = 🇮🇷 فارسی
lang-en = 🇬🇧 English
lang-changed = Language set to English.
start-welcome = 👋 Welcome! Here you can buy VPN subscriptions, see your configs and usage, and talk to support. Choose from the menu below.
start-banned = Your account has been suspended, so the shop is not available to you. If you think this is a mistake, please contact support.
menu-title = 🏠 Main menu. What would you like to do?
menu-buy = 🛒 Buy
menu-subs = 📦 My subscriptions
menu-trial = 🎁 Free trial
menu-wallet = 👛 Wallet
menu-support = 💬 Support
menu-help = 📚 Help
menu-language = 🌐 Language
menu-unknown = I did not understand that. Please use the menu buttons below.
flood-slow-down = Too fast! Please wait a moment.

## Commands (setMyCommands)
cmd-start = Main menu
cmd-buy = Buy a subscription
cmd-subs = My subscriptions
cmd-wallet = Wallet and top-up
cmd-support = Support tickets
cmd-help = Help and app guides
cmd-language = Change the language
cmd-cancel = Cancel the current step

## Required channel
join-required = To use the shop, please join our channel { $channel } first, then press "I have joined".
join-open = 📢 Open the channel
join-check = ✅ I have joined
join-not-yet = You have not joined the channel yet.

## Buy
buy-plans-title = <b>🛒 Choose a plan</b>
    Prices are in Toman.
buy-no-plans = No plans are on sale right now. Please check back later.
buy-plan-button = { $title } · { $traffic } · { $days } days · { $price }
buy-plan-detail = <b>{ $title }</b>
    📶 Traffic: { $traffic }
    ⏳ Duration: { $days } days
    📱 Devices: { $devices }
    💵 Price: { $price }
buy-devices-unlimited = unlimited
buy-choose = ✅ Choose this plan
buy-kind-renew = 🔄 Renewal of your subscription <b>{ $title }</b>
buy-kind-addtr = ➕ Extra traffic for your subscription <b>{ $title }</b>
buy-discount-ask = Do you have a discount code? Send it now, or press "No code".
buy-discount-skip = ➡️ No code
buy-discount-applied = 🏷 Code { $code } applied: { $discount } off.
buy-discount-retry = Send another code, or press "No code".
buy-discount-bad-text = Please send the discount code as text, or press "No code".
buy-summary = <b>{ $title }</b>
    Price: { $price }
    Discount: { $discount }
    <b>To pay: { $due }</b>
    Your wallet: { $balance }

    How would you like to pay?
buy-pay-wallet = 👛 Pay from wallet
buy-pay-card = 💳 Card to card
buy-card-instructions = <b>Order #{ $number }</b>
    Transfer exactly <b>{ $amount }</b> to this card:

    💳 Card: <code>{ $card }</code>
    👤 Holder: { $holder }
    🔢 Amount to paste: <code>{ $digits }</code>
    ⏰ Deadline: { $deadline }

    The amount is unique to your order: please transfer exactly this sum, then press "I have paid" and send the receipt photo.
buy-paid = ✅ I have paid
buy-cancel-order = ✖️ Cancel order
buy-send-receipt = 📸 Send a photo of the receipt now (as a photo, not as a file). You may write the bank tracking code as the photo's caption.
buy-receipt-not-photo = Please send the receipt as a photo. To stop, press Cancel order.
buy-receipt-document = That is a file. Please send the receipt as a photo (choose "Photo" when attaching), not as a document.
buy-receipt-uploading = ⏳ Receiving your receipt…
buy-receipt-received = ✅ Receipt received for order #{ $number }. Your payment is under review; you will get a message here as soon as it is checked.
buy-payment-closed = This order is no longer waiting for a payment (it was cancelled, expired or already reviewed). Nothing more is needed for it.
buy-order-cancelled = Order #{ $number } was cancelled. Nothing was charged.
buy-wallet-done = ✅ Paid. Order #{ $number } is being prepared; your config will arrive here in a moment.
buy-use-buttons = Please use the buttons of the last message, or send /cancel to stop.
buy-not-now = The shop could not take this order right now.

## Wallet
wallet-title = <b>👛 Your wallet</b>
    Balance: <b>{ $balance }</b>
wallet-entries-title = Last movements:
wallet-entry = { $date } · { $kind } · { $amount }
wallet-no-entries = No movements yet.
wallet-kind-top-up = Top-up
wallet-kind-purchase = Purchase
wallet-kind-refund = Refund
wallet-kind-adjustment = Adjustment
wallet-kind-commission = Commission
wallet-topup = ➕ Top up
topup-ask-amount = How much would you like to add, in Toman? Send a number between { $min } and { $max }.
topup-bad-amount = Please send a whole number of Toman between { $min } and { $max }, for example { $example }.
topup-title = Wallet top-up of { $amount }

## My subscriptions
subs-title = <b>📦 Your subscriptions</b> (page { $page } of { $pages })
subs-empty = You have no subscriptions yet. Buy one, or try the free trial.
subs-item = { $status } { $title } · { $expiry }
subs-prev = ‹ Previous
subs-next = Next ›
sub-detail = <b>{ $title }</b>
    Status: { $status }
    📶 Usage: { $used } / { $quota }
    { $bar }
    ⏳ Days left: { $days }
    📅 Expires: { $expiry }
sub-url = 🔗 Subscription URL (add it to your app):
    <code>{ $url }</code>
sub-links = Configs (tap to copy):
sub-no-links = The configs are being prepared. Press Refresh in a moment.
sub-no-expiry = no expiry
sub-status-active = 🟢 Active
sub-status-provisioning = ⏳ Being prepared
sub-status-disabled = ⏸ Disabled
sub-status-depleted = 🔴 Traffic used up
sub-status-expired = 🔴 Expired
sub-status-revoked = ⚫️ Revoked
sub-status-failed = ⚠️ Failed
sub-renew = 🔄 Renew
sub-addtr = ➕ Add traffic
sub-refresh = ♻️ Refresh
sub-qr-caption = QR code of your subscription URL: scan it in your VPN app.
sub-trial-not-renewable = A free trial cannot be renewed. Buy a plan instead.
sub-refreshed = Up to date.

## Free trial
trial-started = 🎁 Your free trial is being prepared. Your config will arrive here in a moment.

## Support
support-title = <b>💬 Support</b>
    Open a ticket and we will answer you here.
support-handle = You can also write to { $handle }.
support-new = ✉️ New ticket
support-my-tickets = 🗂 My tickets
ticket-ask-subject = What is it about? Send a short subject (one line).
ticket-ask-message = Now write your message.
ticket-text-only = Please send text. Photos and files cannot be attached to a ticket yet.
ticket-too-long = That is too long. Please keep it under { $max } characters.
ticket-created = ✅ Ticket <b>{ $subject }</b> was opened. We will answer here.
ticket-list-title = <b>🗂 Your tickets</b>
ticket-list-empty = You have no tickets.
ticket-item = { $status } { $subject }
ticket-status-open = 🟡 Open
ticket-status-answered = 🟢 Answered
ticket-status-closed = ⚪️ Closed
ticket-thread = <b>{ $subject }</b> · { $status }
ticket-from-me = 👤 You · { $date }
ticket-from-support = 🎧 Support · { $date }
ticket-write = ✍️ Write a message
ticket-close = ✅ Close ticket
ticket-closed = Ticket closed. Thank you!
ticket-message-sent = ✅ Message sent. We will answer here.

## Help
help-title = <b>📚 Help</b>
    Choose your device to see how to import your subscription.
help-android = 🤖 Android
help-ios = 🍏 iPhone / iPad
help-windows = 🪟 Windows
help-macos = 💻 macOS
help-suburl = 🔗 Subscription URL
help-faq = ❓ FAQ
help-android-text = <b>Android</b>
    1. Install <b>v2rayNG</b> or <b>Hiddify</b> from Google Play.
    2. In this bot open 📦 My subscriptions, choose your subscription and tap the subscription URL to copy it.
    3. v2rayNG: ☰ → Subscription group settings → + → paste the URL → save; then ⋮ → Update subscription. Hiddify: + → Add from clipboard.
    4. Choose a server and tap the connect button.
help-ios-text = <b>iPhone / iPad</b>
    1. Install <b>Streisand</b> or <b>V2Box</b> from the App Store.
    2. Copy your subscription URL from 📦 My subscriptions.
    3. Streisand: + → Add from clipboard. V2Box: Configs → + → Import subscription URL.
    4. Choose a server and connect. You can also scan the QR code the bot sends.
help-windows-text = <b>Windows</b>
    1. Install <b>v2rayN</b> (from its GitHub releases) or <b>Hiddify</b>.
    2. Copy your subscription URL from 📦 My subscriptions.
    3. v2rayN: Subscription group → Subscription group settings → Add → paste the URL → OK, then Update subscription. Hiddify: + → Add from clipboard.
    4. Choose a server and turn on the system proxy or TUN mode.
help-macos-text = <b>macOS</b>
    1. Install <b>Hiddify</b> or <b>V2Box</b> (Apple silicon Macs can also run Streisand).
    2. Copy your subscription URL from 📦 My subscriptions.
    3. Add it from the clipboard in the app, then connect.
help-suburl-text = <b>Subscription URL</b>
    Your subscription URL is a link that gives your app every config of your subscription. Add it once: when we move you to another server or renew, the app updates itself (use "Update subscription"). Keep it private: anyone with the link can use your traffic.
help-faq-text = <b>Frequently asked questions</b>
    <b>It does not connect.</b> Update the subscription in your app and try another config. If it still fails, open a ticket.
    <b>How long does approval take?</b> Card payments are usually checked within an hour.
    <b>Can I have several subscriptions?</b> Yes, each with its own URL.
    <b>Is the free trial repeatable?</b> No, it is once per account.
    <b>My traffic or time ran out.</b> Open the subscription and press Renew or Add traffic; the URL stays the same.
