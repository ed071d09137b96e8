/* Demo page: the "start a conversation" buttons use the widget's host API. */
for (const id of ['open-chat', 'open-chat-2']) {
  document.getElementById(id).addEventListener('click', () => window.IntakeChat && window.IntakeChat.open());
}
