/// <reference lib="dom" />
import type { MemberView } from '../../cluster/cluster-handle.js';
import type { Dom } from './dom.js';
import type { ErrorBanner } from './error-banner.js';

/** One member's buttons (kill, stop, cont, restart) and weight field, as the `.actions` of its card. */
export interface MemberControls {
  readonly root: HTMLElement;
  /** Follows the member: its weight in the field (unless being edited), kill and stop only while it runs. */
  update(member: MemberView): void;
}

/**
 * A piece of the page script: self-contained, see `main.ts`. Each control posts to
 * `/api/members/<id>/<action>`; a refusal shows in the error banner.
 */
export function makeMemberControls(dom: Dom, errors: ErrorBanner): (id: string) => MemberControls {
  async function post(member: string, action: string, body: unknown): Promise<boolean> {
    try {
      const res = await fetch(`/api/members/${encodeURIComponent(member)}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.ok) return true;
      const message = `${res.status} ${res.statusText}`;
      try {
        const json = (await res.json()) as { error?: { message?: string } };
        // The server's message names the action and the member already.
        if (json.error?.message !== undefined) {
          errors.show(json.error.message);
          return false;
        }
      } catch {
        // Not JSON: the status line says enough.
      }
      errors.show(`${action} ${member}: ${message}`);
    } catch (e) {
      errors.show(
        `${action} ${member}: ${e instanceof Error ? e.message : String(e)} (is maestro still running?)`,
      );
    }
    return false;
  }

  return function controlsFor(id: string): MemberControls {
    const root = dom.make('div', 'actions');
    const buttons: Record<string, HTMLButtonElement> = {};
    for (const action of ['kill', 'stop', 'cont', 'restart']) {
      const b = dom.make('button', `act act-${action}`, action);
      b.type = 'button';
      b.dataset['action'] = action;
      b.setAttribute('aria-label', `${action} ${id}`);
      b.addEventListener('click', async () => {
        b.disabled = true;
        b.setAttribute('aria-busy', 'true');
        await post(id, action, {});
        b.removeAttribute('aria-busy');
        b.disabled = false;
      });
      root.append(b);
      buttons[action] = b;
    }
    const form = dom.make('form', 'weight-form');
    const label = dom.make('label', undefined, 'weight ');
    const weight = dom.make('input');
    weight.type = 'number';
    weight.min = '0';
    weight.max = '512';
    weight.step = '1';
    weight.required = true;
    weight.inputMode = 'numeric';
    weight.setAttribute('aria-label', `new weight for ${id}`);
    // A field the user typed in keeps their value until it is sent, whatever the snapshots say.
    weight.addEventListener('input', () => {
      weight.dataset['dirty'] = 'true';
    });
    label.append(weight);
    const set = dom.make('button', 'act', 'set');
    set.type = 'submit';
    set.setAttribute('aria-label', `set the weight of ${id}`);
    form.append(label, set);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = weight.valueAsNumber;
      if (!Number.isInteger(value) || value < 0 || value > 512) {
        errors.show(`weight ${id}: enter an integer 0..512`);
        return;
      }
      set.disabled = true;
      if (await post(id, 'weight', { weight: value })) delete weight.dataset['dirty'];
      set.disabled = false;
    });
    root.append(form);

    function update(m: MemberView): void {
      if (document.activeElement !== weight && weight.dataset['dirty'] !== 'true')
        weight.value = String(m.weight);
      const running = m.pid !== null;
      for (const action of ['kill', 'stop']) {
        const b = buttons[action];
        // A button whose request is under way stays disabled until the answer.
        if (b !== undefined && b.getAttribute('aria-busy') !== 'true') b.disabled = !running;
      }
    }
    return { root, update };
  };
}
