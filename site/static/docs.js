// qdiff docs: fills the snippets with this site's address.
'use strict';
(() => {
  const base = new URL('.', location.href).href;
  for (const c of document.querySelectorAll('code.snippet')) c.textContent = c.textContent.replaceAll('QDIFF_BASE', base);
})();
