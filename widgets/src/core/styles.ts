import { css } from 'lit';

/**
 * Theming: every colour, size and radius is a CSS custom property with a default, and every visible piece is a
 * `::part` (list, item, card, image, title, brand, price, similarity, status, dismiss, heading, skeleton).
 */
export const listStyles = css`
  :host {
    display: block;
    font-family: var(--sp-font, system-ui, sans-serif);
    color: var(--sp-text, #1f2328);
  }
  :host([hidden]) {
    display: none;
  }
  h2 {
    font-size: var(--sp-heading-size, 1.1rem);
    margin: 0 0 0.6rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(var(--sp-card-min-width, 150px), 1fr));
    gap: var(--sp-gap, 12px);
  }
  li {
    position: relative;
    min-width: 0;
  }
  .card {
    display: flex;
    flex-direction: column;
    gap: 4px;
    width: 100%;
    height: 100%;
    box-sizing: border-box;
    padding: var(--sp-card-padding, 8px);
    border: var(--sp-card-border, 1px solid #d0d7de);
    border-radius: var(--sp-radius, 8px);
    background: var(--sp-card-bg, #fff);
    color: inherit;
    font: inherit;
    text-align: start;
    text-decoration: none;
    cursor: pointer;
  }
  .card:hover {
    border-color: var(--sp-accent, #0969da);
  }
  .card:focus-visible,
  button:focus-visible,
  input:focus-visible {
    outline: var(--sp-focus-ring, 3px solid #0969da);
    outline-offset: 2px;
  }
  img {
    width: 100%;
    height: auto;
    aspect-ratio: 1;
    object-fit: cover;
    border-radius: calc(var(--sp-radius, 8px) - 4px);
    background: var(--sp-image-bg, #f6f8fa);
  }
  .title {
    font-weight: 600;
    font-size: 0.9rem;
    line-height: 1.25;
  }
  .meta {
    font-size: 0.8rem;
    color: var(--sp-muted, #59636e);
  }
  .price {
    font-weight: 600;
    color: var(--sp-price, inherit);
  }
  .dismiss {
    position: absolute;
    top: 4px;
    inset-inline-end: 4px;
    width: 28px;
    height: 28px;
    border-radius: 50%;
    border: 1px solid #d0d7de;
    background: var(--sp-card-bg, #fff);
    cursor: pointer;
    font-size: 16px;
    line-height: 1;
  }
  .status {
    margin: 0.4rem 0;
    color: var(--sp-muted, #59636e);
  }
  .status.failed {
    color: var(--sp-error, #b42318);
  }
  .skeleton {
    height: var(--sp-skeleton-height, 220px);
    border-radius: var(--sp-radius, 8px);
    background: linear-gradient(90deg, #eef1f4 25%, #f6f8fa 50%, #eef1f4 75%);
    background-size: 200% 100%;
    animation: shimmer 1.2s infinite linear;
  }
  @keyframes shimmer {
    to {
      background-position: -200% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton {
      animation: none;
    }
  }
  input[type='search'] {
    box-sizing: border-box;
    width: 100%;
    padding: 0.6rem 0.8rem;
    margin-bottom: 0.8rem;
    font: inherit;
    border: var(--sp-card-border, 1px solid #d0d7de);
    border-radius: var(--sp-radius, 8px);
  }
  .dropzone {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem;
    padding: 1rem;
    margin-bottom: 0.8rem;
    border: 2px dashed var(--sp-dropzone-border, #8c959f);
    border-radius: var(--sp-radius, 8px);
    background: var(--sp-dropzone-bg, transparent);
  }
  .dropzone.over {
    border-color: var(--sp-accent, #0969da);
    background: var(--sp-dropzone-active-bg, #ddf4ff);
  }
  .dropzone img {
    width: 72px;
    height: 72px;
  }
  .action {
    padding: 0.45rem 0.9rem;
    font: inherit;
    border-radius: var(--sp-radius, 8px);
    border: 1px solid var(--sp-accent, #0969da);
    background: var(--sp-button-bg, #fff);
    color: var(--sp-accent, #0969da);
    cursor: pointer;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
