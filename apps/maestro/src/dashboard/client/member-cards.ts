/// <reference lib="dom" />
import type { MemberView } from '../../cluster/cluster-handle.js';
import type { DashboardFrame } from '../rates.js';
import type { Dom } from './dom.js';
import type { Format } from './format.js';
import type { MemberControls } from './member-controls.js';

/** The member cards (`#members`): state, weight, pid, packets, packets/s, connections, corrections, split connections yielded. */
export interface MemberCards {
  render(frame: DashboardFrame): void;
}

/**
 * A piece of the page script: self-contained, see `main.ts`. A card is built once per member, then
 * only its text changes, so that focus and typing in its controls survive the updates.
 */
export function makeMemberCards(
  dom: Dom,
  format: Format,
  controlsFor: (id: string) => MemberControls,
): MemberCards {
  const TONES: Record<string, string> = {
    ACTIVE: 'ok',
    'ACTIVE(!)': 'warn',
    STANDBY: 'info',
    INIT: 'idle',
    READY: 'idle',
    STOPPED: 'warn',
    DOWN: 'bad',
    LOST: 'bad',
    KILLED: 'bad',
  };
  interface Card {
    readonly root: HTMLLIElement;
    readonly state: HTMLElement;
    readonly fields: Record<string, HTMLElement>;
    readonly controls: MemberControls;
  }
  const cards = new Map<string, Card>();
  const membersList = dom.byId('members');

  function makeCard(id: string): Card {
    const root = dom.make('li', 'member');
    root.dataset['member'] = id;
    const head = dom.make('div', 'member-head');
    const title = dom.make('h3', undefined, id);
    const state = dom.make('span', 'state');
    state.dataset['field'] = 'state';
    head.append(title, state);
    const list = dom.make('dl');
    const fields: Record<string, HTMLElement> = {};
    for (const name of ['weight', 'pid', 'packets', 'load', 'connections', 'corrections', 'yielded']) {
      const box = dom.make('div');
      const value = dom.make('dd');
      value.dataset['field'] = name;
      box.append(dom.make('dt', undefined, name === 'load' ? 'packets/s' : name), value);
      list.append(box);
      fields[name] = value;
    }
    const controls = controlsFor(id);
    root.append(head, list, controls.root);
    return { root, state, fields, controls };
  }

  function render(frame: DashboardFrame): void {
    const ids = frame.snapshot.members.map((m) => m.id);
    if (ids.join('\n') !== [...cards.keys()].join('\n')) {
      cards.clear();
      membersList.replaceChildren();
      for (const id of ids) {
        const card = makeCard(id);
        cards.set(id, card);
        membersList.append(card.root);
      }
    }
    frame.snapshot.members.forEach((m: MemberView, i: number) => {
      const card = cards.get(m.id);
      if (card === undefined) return;
      const tone = TONES[m.state] ?? 'idle';
      card.root.dataset['state'] = m.state;
      card.root.dataset['tone'] = tone;
      card.state.dataset['tone'] = tone;
      dom.setText(card.state, m.state);
      dom.setText(card.fields['weight'], String(m.weight));
      dom.setText(card.fields['pid'], m.pid === null ? '–' : String(m.pid));
      dom.setText(card.fields['packets'], format.count(m.packets));
      dom.setText(card.fields['load'], format.perSecond(frame.rates.members[i]?.packets ?? null));
      dom.setText(card.fields['connections'], format.count(m.connections));
      dom.setText(card.fields['corrections'], format.count(m.corrections));
      dom.setText(card.fields['yielded'], format.count(m.yielded));
      card.controls.update(m);
    });
  }
  return { render };
}
