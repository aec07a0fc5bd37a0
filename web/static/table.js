// Tables of API rows, for the reports and computers pages. Cells are text (never HTML), so a
// name or reason that holds markup shows as typed.

// Replaces `container`'s content with a table captioned `caption`: `columns` are
// {label, value(row) -> string or Node}; no rows shows `empty` instead.
export function renderTable(container, caption, columns, rows, empty) {
  container.replaceChildren();
  if (rows.length === 0) {
    const p = document.createElement('p');
    p.textContent = empty;
    container.append(p);
    return;
  }
  const wrapper = document.createElement('div');
  wrapper.className = 'table-scroll';
  wrapper.tabIndex = 0;  // a wide table scrolls by keyboard too
  wrapper.setAttribute('role', 'region');
  wrapper.setAttribute('aria-label', caption);
  const table = document.createElement('table');
  const captionElement = table.createCaption();
  captionElement.textContent = caption;
  const head = table.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = column.label;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const column of columns) {
      const value = column.value(row);
      tr.insertCell().append(value instanceof Node ? value : document.createTextNode(value ?? ''));
    }
  }
  wrapper.append(table);
  container.append(wrapper);
}

// A link to a computer's page.
export function computerLink(name, id) {
  if (!id) return document.createTextNode(name);
  const a = document.createElement('a');
  a.href = `/computers?id=${encodeURIComponent(id)}`;
  a.textContent = name;
  return a;
}

// "2024-05-01 09:30 UTC" from an RFC 3339 time; '' for none.
export function formatTime(text) {
  return text ? `${text.slice(0, 10)} ${text.slice(11, 16)} UTC` : '';
}
