## Broadcast
bc-ask-text = 📣 Send the message: text, or a photo with a caption.
bc-ask-audience = Who receives it?
bc-aud-all = 👥 Everyone
bc-aud-active = 📶 With an active subscription
bc-aud-expired = ⌛ Expired
bc-aud-never-bought = 🆕 Never bought
bc-preview = 📣 To <b>{ $audience }</b>: { $count } customers. Preview:
bc-send = 📤 Send
bc-queued = 📣 Queued. Progress and the final report appear here.
