## Servers
srv-title = 🖥 <b>Servers</b>
srv-none = No servers yet.
srv-add = ➕ Add a server
srv-detail = 🖥 <b>{ $name }</b> ({ $kind })
    { $url }
    Status: { $status } · version { $version }
    Load: { $load } · group <code>{ $group }</code>
    Inbounds: { $inbounds }
srv-activate = ▶️ Activate
srv-deactivate = ⏸ Deactivate
srv-activated = Active: new subscriptions can land here.
srv-deactivated = Inactive: no new subscriptions land here.
srv-sync = 🔄 Sync inbounds
srv-synced = { $count } inbounds synced.
srv-drift = 🔍 Drift report
srv-drift-report = 🔍 <b>Drift (dry run, nothing changed)</b>
    Missing on the panel: { $missing }
    Wrong settings: { $wrong }
    Duplicated: { $duplicated }
    Orphans (not deleted from here): { $orphans }
    Repair would take { $actions } actions.
srv-repair = 🛠 Repair now
srv-repaired = 🛠 Repaired: { $applied } actions applied, { $failed } failed.
srv-back-server = « Server
srv-evacuate = 🚚 Evacuate
srv-evacuate-confirm = 🚚 Move every subscription off this server (same links) and deactivate it?
srv-evacuation = 🚚 Evacuation: { $status }
    Moved { $moved } of { $total } · failed { $failed } · left { $remaining }
srv-evacuation-refresh = 🔄 Progress
srv-ask-kind = ➕ Which panel is it?
srv-ask-name = A short name for this server (e.g. de-1):
srv-ask-url = The panel URL with its web base path, e.g. https://panel.example.com:2095/app/
srv-ask-username = The panel username:
srv-ask-password = The panel password (the message is deleted once read):
srv-ask-token = The panel API token (the message is deleted once read):
srv-ask-group = Server group (plans are placed by group), or Skip for "default":
srv-ask-capacity = Capacity (subscriptions at most), or Skip for 100:
srv-use-token = 🔑 Use an API token
srv-bad-url = That is not a URL. It starts with http:// or https://.
srv-testing = 🔌 Testing the connection…
srv-saved = ✅ Saved <b>{ $name }</b> (version { $version }, { $inbounds } inbounds).
srv-fail-path = ❌ The server answered, but there is no panel at this path. Check the web base path in the URL. Nothing was saved.
srv-fail-auth = ❌ The panel is there, but it refused the username and password (or token). Nothing was saved.
srv-fail-unreachable = ❌ The server could not be reached (wrong host or port, firewall, or it is down). Nothing was saved.
srv-fail-version = ❌ This panel version is not supported. Nothing was saved.
srv-fail-rejected = ❌ The panel refused the request. Check the URL. Nothing was saved.
srv-fail-input = ❌ The panel details are not valid. Check the URL. Nothing was saved.
