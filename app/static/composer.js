// A message with files cannot go over the websocket (htmx's ws-send sends the fields as JSON).
// When files are chosen, the form is sent as it is instead, multipart to its action, exactly
// as it is without JavaScript; the page comes back at the new message.
document.addEventListener("htmx:wsConfigSend", (event) => {
  const form = event.target instanceof HTMLFormElement ? event.target : null;
  if (form === null) return;
  const inputs = form.querySelectorAll("input[type=file]");
  if (!Array.from(inputs).some((input) => input.files && input.files.length > 0)) return;
  event.preventDefault(); // not over the socket
  // A fresh form pushed after a post over the socket has no CSRF field (a frame has no
  // request): it takes the page's own.
  if (form.querySelector("input[name=csrf_token]") === null) {
    const token = document.querySelector("input[name=csrf_token]");
    if (token !== null) form.appendChild(token.cloneNode());
  }
  HTMLFormElement.prototype.submit.call(form); // no second submit event, so no second send
});
