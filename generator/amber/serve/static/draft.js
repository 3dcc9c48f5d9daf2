/* amber serve: the draft banner's form. The pages' Content-Security-Policy forbids form
   submission (form-action 'none'), so this script turns the form into a new address for the
   same draft. Without scripts, the banner's links and the ?title= query still work. */
(function () {
  'use strict';
  var form = document.querySelector('form[data-amber-draft]');
  if (!form) return;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    var title = form.elements.namedItem('title');
    if (title && title.value.trim()) params.set('title', title.value.trim());
    var who = form.querySelector('input[name="who"]:checked');
    var name = form.elements.namedItem('name');
    if (who && who.value === 'name') params.set('name', name && name.value.trim() ? name.value.trim() : '');
    var messages = form.elements.namedItem('messages');
    if (messages && messages.value.trim()) params.set('messages', messages.value.trim());
    ['redact', 'redact-pattern'].forEach(function (field) {
      var box = form.elements.namedItem(field);
      if (!box) return;
      box.value.split('\n').forEach(function (line) {
        if (line.trim()) params.append(field, line.replace(/\r$/, ''));
      });
    });
    var sensitive = form.elements.namedItem('redact-sensitive');
    if (sensitive && sensitive.checked) params.set('redact-sensitive', '');
    var query = params.toString();
    window.location.assign(window.location.pathname + (query ? '?' + query : ''));
  });
})();
