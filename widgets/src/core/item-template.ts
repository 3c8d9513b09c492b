import type { WidgetHit } from '../api/types';

/**
 * Custom cards from a `<template>`: the widget's own `<template>` child, or the one named by `item-template`.
 * Elements carrying `data-field="title"` (or id, brand, category, color, price, similarity, relation) get the value as text;
 * on an `<img>`, `data-field="imageUrl"` sets src and alt. Values are only ever set as text or attributes, never as
 * HTML, so catalog data cannot inject markup.
 */
export function findItemTemplate(host: HTMLElement, id: string | undefined): HTMLTemplateElement | undefined {
  const named = id ? host.ownerDocument.getElementById(id) : null;
  if (named instanceof HTMLTemplateElement) return named;
  const child = host.querySelector(':scope > template');
  return child instanceof HTMLTemplateElement ? child : undefined;
}

export function fillTemplate(template: HTMLTemplateElement, hit: WidgetHit, formatPrice: (hit: WidgetHit) => string): DocumentFragment {
  const fragment = template.content.cloneNode(true) as DocumentFragment;
  for (const el of fragment.querySelectorAll<HTMLElement>('[data-field]')) {
    const field = el.dataset.field!;
    const value = fieldValue(hit, field, formatPrice);
    if (el instanceof HTMLImageElement && field === 'imageUrl') {
      if (value) el.src = value;
      if (!el.alt) el.alt = hit.product.title;
    } else {
      el.textContent = value;
    }
  }
  return fragment;
}

function fieldValue(hit: WidgetHit, field: string, formatPrice: (hit: WidgetHit) => string): string {
  if (field === 'price') return formatPrice(hit);
  if (field === 'similarity') return hit.similarity == null ? '' : hit.similarity.toFixed(2);
  if (field === 'relation') return hit.relation ?? '';
  const v = (hit.product as unknown as Record<string, unknown>)[field];
  return v == null ? '' : String(v);
}
