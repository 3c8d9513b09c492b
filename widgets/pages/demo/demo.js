// Shared by the demo pages: the header, the analytics log, and the catalog facts the API cannot list yet.
import { ProductApi } from '/widgets/v1/widgets.js';

export const api = new ProductApi('/graphql');

/** The quick-start catalog's categories (scripts/start.sh, seed 7). The API has no facet listing yet. */
export const CATEGORIES = ['backpack', 'bottle', 'chair', 'dress', 'handbag', 'hat', 'lamp', 'mug', 'sneaker', 'sofa', 'sunglasses', 't-shirt', 'umbrella', 'watch'];

const PAGES = [
  ['index.html', 'Shop'],
  ['search.html', 'Search'],
  ['visual.html', 'Visual search'],
  ['/explore/', 'Catalog map'],
  ['/explorer/', 'API explorer'],
];

export function header(current) {
  const el = document.createElement('header');
  el.innerHTML = `<a class="brand" href="index.html">Similarity Shop</a>`;
  for (const [href, label] of PAGES) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = label;
    if (href === current) a.setAttribute('aria-current', 'page');
    el.append(a);
  }
  document.body.prepend(el);
}

/** What a shop would send to its analytics: every widget event, newest first. */
export function logEvents(target) {
  for (const type of ['product-click', 'product-impression', 'product-dismiss']) {
    document.addEventListener(type, (e) => {
      if (!target) return;
      const line = document.createElement('div');
      line.textContent = `${type} ${e.detail.widget} #${e.detail.position} ${e.detail.id}`;
      target.prepend(line);
    });
  }
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}
