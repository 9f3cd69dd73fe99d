import type { Level } from '../policy/levels.js';

export interface BannerOptions {
  /** Lowest level that shows the banner (default `resources`). */
  minLevel: Level;
  title: string;
  text: string;
  urgentText: string;
  linkUrl?: string;
  linkText: string;
  dismissText: string;
}

export const DEFAULT_BANNER: BannerOptions = {
  minLevel: 'resources',
  title: 'You don’t have to go through this alone',
  text: 'If things feel like too much right now, talking to someone can help. You can reach a local crisis line or someone you trust.',
  urgentText: 'If you are in danger right now, please contact your local emergency number or a crisis line immediately.',
  linkText: 'Find support near you',
  dismissText: 'Dismiss',
};

/**
 * An accessible resources banner built with DOM APIs and CSSOM styles only, so it
 * works under a CSP without 'unsafe-inline'. Urgent uses role="alert" (assertive);
 * resources a polite live region.
 */
export class Banner {
  private el: HTMLElement | null = null;
  private dismissedAt: Level | null = null;

  constructor(private readonly o: BannerOptions) {}

  show(level: Level): void {
    if (this.dismissedAt === level) return;
    this.hide();
    const urgent = level === 'urgent';
    const root = document.createElement('section');
    root.className = 'carelayer-banner';
    root.dataset['level'] = level;
    root.setAttribute('role', urgent ? 'alert' : 'status');
    root.setAttribute('aria-live', urgent ? 'assertive' : 'polite');
    root.setAttribute('aria-labelledby', 'carelayer-banner-title');
    Object.assign(root.style, {
      position: 'fixed', left: '1rem', right: '1rem', bottom: '1rem', zIndex: '2147483647', padding: '1rem 1.25rem',
      borderRadius: '0.75rem', background: urgent ? '#7a1020' : '#123a63', color: '#ffffff', font: '16px/1.4 system-ui, sans-serif',
      boxShadow: '0 4px 24px rgba(0,0,0,.3)', maxWidth: '40rem', margin: '0 auto',
    });
    const h = document.createElement('h2');
    h.id = 'carelayer-banner-title';
    h.textContent = this.o.title;
    Object.assign(h.style, { margin: '0 0 .5rem', fontSize: '1.1rem' });
    const p = document.createElement('p');
    p.textContent = urgent ? this.o.urgentText : this.o.text;
    Object.assign(p.style, { margin: '0 0 .75rem' });
    root.append(h, p);
    if (this.o.linkUrl) {
      const a = document.createElement('a');
      a.href = this.o.linkUrl;
      a.textContent = this.o.linkText;
      a.rel = 'noopener';
      Object.assign(a.style, { color: '#ffffff', fontWeight: '600', marginRight: '1rem' });
      root.append(a);
    }
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = this.o.dismissText;
    Object.assign(b.style, { font: 'inherit', padding: '.25rem .75rem', borderRadius: '.4rem', border: '1px solid #fff', background: 'transparent', color: '#fff', cursor: 'pointer' });
    b.addEventListener('click', () => {
      this.dismissedAt = level;
      this.hide();
    });
    root.append(b);
    root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') b.click();
    });
    document.body.append(root);
    this.el = root;
  }

  hide(): void {
    this.el?.remove();
    this.el = null;
  }

  get visible(): boolean {
    return this.el !== null;
  }
}
