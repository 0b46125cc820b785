## Plans and discount codes
plans-title = 📦 <b>Plans</b> (press one to see or change it)
plans-none = No plans yet.
codes-title = 🏷 <b>Discount codes</b> (press to disable)
codes-none = No discount codes yet.

## Plan detail, edits and the add-plan wizard
plan-add = ➕ Add a plan
plan-detail = 📦 <b>{ $titleEn }</b> / { $titleFa }
    Code: <code>{ $code }</code> — { $status }
    💵 Price: { $price }
    📊 Traffic: { $traffic }
    📅 Days: { $days }
    📱 Devices: { $devices }
    🖥 Server group: { $group }
    🎁 Trial plan: { $trial }
plan-active = 🟢 on sale
plan-inactive = ⏸ not on sale
plan-trial-yes = Yes
plan-trial-no = No
plan-edit-price = 💵 Price
plan-edit-traffic = 📊 Traffic
plan-edit-days = 📅 Days
plan-edit-devices = 📱 Devices
plan-edit-title-fa = 🇮🇷 Persian title
plan-edit-title-en = 🇬🇧 English title
plan-edit-ask-title-fa = ✏️ Send the new Persian title customers see (1–100 characters):
plan-edit-ask-title-en = ✏️ Send the new English title (1–100 characters):
plan-activate = ▶️ Put on sale
plan-deactivate = ⏸ Take off sale
plan-activated = On sale.
plan-deactivated = Taken off sale.
plan-now = Now: { $value }
plan-saved-limit = ✅ Saved.
plan-unlimited = ∞ Unlimited
plan-save = ✅ Save the plan
plan-created = ✅ Plan <code>{ $code }</code> created.
plan-ask-code = 📦 New plan (1/9). Send a short code for it: letters, digits, - and _ (for example <code>month-50</code>).
plan-ask-title-fa = 📦 (2/9) The title customers see in Persian:
plan-ask-title-en = 📦 (3/9) The title in English:
plan-ask-traffic = 📊 Traffic in GB (0 or the button for unlimited):
plan-ask-days = 📅 How many days does it last? (1 to 3650)
plan-ask-devices = 📱 How many devices at once? (0 or the button for unlimited, at most 1000)
plan-ask-price = 💵 Price in Toman (a whole number, 0 for free):
plan-ask-group = 🖥 Which server group hosts it? Choose one or type a group name.
plan-ask-trial = 🎁 Is this the free trial plan? (a trial plan is not sold in the catalogue)
plan-confirm = 📦 <b>Create this plan?</b>
    { $titleEn } / { $titleFa } (<code>{ $code }</code>)
    💵 { $price } · 📊 { $traffic } · 📅 { $days } days · 📱 { $devices }
    🖥 { $group } · 🎁 trial: { $trial }
plan-bad-code = ⚠️ The code must be 1–50 letters, digits, - or _, starting with a letter or digit.
plan-bad-title-fa = ⚠️ The title must be 1–100 characters.
plan-bad-title-en = ⚠️ The title must be 1–100 characters.
plan-bad-traffic = ⚠️ Send the traffic in GB as a number, such as 50 or 0.5 (0 = unlimited).
plan-bad-days = ⚠️ The duration must be a whole number of days from 1 to 3650.
plan-bad-devices = ⚠️ The device limit must be a whole number from 0 (unlimited) to 1000.
plan-bad-price = ⚠️ The price must be a whole number of Toman from 0 to 2,000,000,000.
plan-bad-group = ⚠️ A server group name is 1–50 letters, digits, - or _.

## The new-discount-code wizard
code-add = ➕ New code
code-until = until { $date }
code-disabled = Disabled.
code-kind-percent = % Percent
code-kind-amount = 💵 Fixed amount
code-no-limit = ∞ No limit
code-save = ✅ Create the code
code-created = ✅ Code <code>{ $code }</code> created.
code-ask-code = 🏷 New discount code. Send the code customers will type: 3–32 letters, digits, - or _.
code-ask-kind = 🏷 A percent off or a fixed amount off?
code-ask-value-percent = % How many percent off? (1 to 100)
code-ask-value-amount = 💵 How many Toman off?
code-ask-uses = 🔢 How many times may it be used in total? (or no limit)
code-ask-start = 🕒 When does it start? Send in how many days (1 to 365), or Now.
code-start-now = ▶️ Now
code-starts-at-once = now
code-ask-days = 📅 For how many days is it valid from its start? (or no expiry)
code-confirm = 🏷 <b>Create this code?</b>
    <code>{ $code }</code> — { $off } off
    🔢 Uses: { $uses } · 🕒 Starts: { $start } · 📅 Days valid: { $days }
    📦 Plans: { $plans }
code-bad-code = ⚠️ The code must be 3–32 letters, digits, - or _.
code-bad-value-percent = ⚠️ The percent must be a whole number from 1 to 100.
code-bad-value-amount = ⚠️ The amount must be a whole number of Toman, at least 1.
code-bad-uses = ⚠️ The number of uses must be a whole number, at least 1.
code-bad-days = ⚠️ The number of days must be a whole number from 1 to 3650.
code-bad-start = ⚠️ The start must be a whole number of days from 1 to 365, or Now.
code-ask-plans = 📦 Which plans may use it? Tap to choose; none chosen means every plan.
code-plans-done = ✔️ Done
code-all-plans = every plan
