/**
 * The designer pages' one script, served as a file (the CSP allows no inline script). Everything
 * works without it: forms post and the page reloads. With it, the error summary takes focus, the
 * "Move up/down" buttons reorder in place (focus stays on the button), and steps can be dragged;
 * every change is announced in the page's live region.
 */
export const DESIGNER_JS = `(function () {
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();

  var list = document.getElementById('steps');
  var notice = document.getElementById('notice');
  if (!list || !list.dataset.orderUrl) return;

  function announce(text) {
    if (!notice) return;
    notice.textContent = '';
    setTimeout(function () { notice.textContent = text; }, 50);
  }
  function failed() { announce(list.dataset.failed || ''); }
  function applyOrder(order) {
    order.forEach(function (id) {
      var item = document.getElementById('step-' + id);
      if (item) list.appendChild(item);
    });
  }
  function currentOrder() {
    return Array.prototype.map.call(list.querySelectorAll('li[data-step-id]'), function (li) { return li.dataset.stepId; });
  }

  // Buttons: the same form post, answered in JSON, then the list is rearranged where it is.
  list.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[data-move]')) return;
    event.preventDefault();
    var direction = form.dataset.move;
    var item = form.closest('li[data-step-id]');
    fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    }).then(function (result) {
      applyOrder(result.order);
      var button = item.querySelector('[data-move-button="' + direction + '"]');
      if (button) button.focus();
      announce(result.message);
    }).catch(failed);
  });

  // Drag and drop with the mouse: the step moves while it is dragged over the others; the new
  // order is saved when it is dropped, and put back when the drag is cancelled.
  var dragged = null;
  var before = null;
  var dropped = false;
  list.addEventListener('dragstart', function (event) {
    dragged = event.target.closest ? event.target.closest('li[data-step-id]') : null;
    if (!dragged) return;
    before = currentOrder();
    dropped = false;
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', dragged.dataset.stepId);
    dragged.classList.add('dragging');
  });
  list.addEventListener('dragover', function (event) {
    if (!dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    var target = event.target.closest ? event.target.closest('li[data-step-id]') : null;
    if (!target || target === dragged) return;
    var box = target.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    var reference = after ? target.nextSibling : target;
    if (reference !== dragged && reference !== dragged.nextSibling) list.insertBefore(dragged, reference);
  });
  list.addEventListener('drop', function (event) {
    if (!dragged) return;
    event.preventDefault();
    dropped = true;
  });
  list.addEventListener('dragend', function () {
    if (!dragged) return;
    var item = dragged;
    dragged = null;
    item.classList.remove('dragging');
    var order = currentOrder();
    if (!dropped) return applyOrder(before);
    if (order.join() === before.join()) return;
    fetch(list.dataset.orderUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer ' + list.dataset.session },
      body: JSON.stringify({ order: order, moved: item.dataset.stepId })
    }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    }).then(function (result) {
      applyOrder(result.order);
      announce(result.message);
    }).catch(function () {
      applyOrder(before);
      failed();
    });
  });
})();
`;
