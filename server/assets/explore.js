// The trendgraph explorer: an entity's neighbourhood as a graph (Cytoscape.js), fed by the
// GraphQL API of the server that served the page. Pick an entity, click a node to read it,
// double-click (or "Expand") to add its neighbours, filter the relationship kinds, and follow
// a node to its page. No request leaves the server's origin.
(() => {
  'use strict';
  const root = document.getElementById('explorer');
  const base = root.dataset.base;
  const typePaths = JSON.parse(root.dataset.types);
  // Relative, as the playground's: it works wherever the handler is mounted.
  const endpoint = new URL('graphql', window.location.href).toString();
  const statusEl = document.getElementById('status');
  const tokenEl = document.getElementById('token');
  const detail = document.getElementById('detail');
  const kindsEl = document.getElementById('kinds');
  const results = document.getElementById('results');

  // A token may come in the address's fragment (#token=…), which browsers never send to a
  // server; it moves into the token field and out of the address bar and history.
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  if (fragment.get('token')) {
    tokenEl.value = fragment.get('token');
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }

  const ENTITY = 'fragment ExplorerEntity on Entity { id slug name summary __typename }';
  const FIND = `query ExplorerFind($q: String!) { search(query: $q, first: 8) { edges { node { ...ExplorerEntity } } } } ${ENTITY}`;
  const START = `query ExplorerStart($slug: String!) { entity(slug: $slug) { ...ExplorerEntity } } ${ENTITY}`;
  const AROUND = `query ExplorerNeighborhood($id: ID!) { neighborhood(id: $id, depth: 1, limit: 60) {
    center { ...ExplorerEntity } nodes { entity { ...ExplorerEntity } }
    relationships { id kind rationale from { id } to { id } } truncated } } ${ENTITY}`;

  async function gql(query, variables) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
    const token = tokenEl.value.trim();
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    let body;
    try {
      body = await res.json();
    } catch {
      throw new Error(`the API answered ${res.status}`);
    }
    if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    if (!res.ok) throw new Error(`the API answered ${res.status}`);
    return body.data;
  }

  function say(text) { statusEl.textContent = text; }
  function pageOf(e) { return `${base}e/${typePaths[e.__typename]}/${encodeURIComponent(e.slug)}`; }
  function kindWords(kind) { return kind.toLowerCase().replaceAll('_', ' '); }

  const fg = getComputedStyle(document.body).color;
  const colors = { Trend: '#8250df', Technology: '#0969da', Tradeoff: '#bf8700', UseCase: '#1a7f37', Organization: '#cf222e', Skill: '#6e7781' };
  const cy = cytoscape({
    container: document.getElementById('graph'),
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      { selector: 'node', style: { label: 'data(name)', 'font-size': 11, color: fg, 'text-valign': 'bottom', 'text-margin-y': 4,
        'background-color': (n) => colors[n.data('type')] || '#888', width: 22, height: 22, 'text-wrap': 'ellipsis', 'text-max-width': 140 } },
      { selector: 'node.expanded', style: { 'border-width': 3, 'border-color': fg } },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#fb8500', width: 28, height: 28 } },
      { selector: 'edge', style: { width: 1.5, 'line-color': '#8c959f', 'target-arrow-color': '#8c959f', 'target-arrow-shape': 'triangle',
        'curve-style': 'bezier', 'arrow-scale': 0.8 } },
      { selector: 'edge:selected', style: { width: 3, 'line-color': '#fb8500', 'target-arrow-color': '#fb8500', label: 'data(words)', 'font-size': 10, color: fg } },
      { selector: '.filtered', style: { display: 'none' } },
    ],
  });

  // The key of node colours, by type.
  document.getElementById('types').replaceChildren(...Object.entries(colors).map(([type, color]) => {
    const dot = el('span', { className: 'dot', ariaHidden: 'true' });
    dot.style.background = color;
    return el('span', {}, dot, ` ${typePaths[type].replaceAll('-', ' ')}`);
  }));

  const hiddenKinds = new Set();
  const entities = new Map(); // id → entity

  function applyFilter() {
    cy.batch(() => {
      cy.edges().forEach((e) => e.toggleClass('filtered', hiddenKinds.has(e.data('kind'))));
      // A node stays while it was expanded or some shown relationship reaches it.
      cy.nodes().forEach((n) => {
        const shown = n.hasClass('expanded') || n.connectedEdges().some((e) => !e.hasClass('filtered'));
        n.toggleClass('filtered', !shown);
      });
    });
  }

  function addKindBox(kind) {
    if (kindsEl.querySelector(`input[value="${kind}"]`)) return;
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = kind;
    box.checked = !hiddenKinds.has(kind);
    box.addEventListener('change', () => {
      if (box.checked) hiddenKinds.delete(kind); else hiddenKinds.add(kind);
      applyFilter();
    });
    label.append(box, ` ${kindWords(kind)}`);
    kindsEl.append(label);
  }

  function addEntity(e, near) {
    entities.set(e.id, e);
    if (cy.getElementById(e.id).nonempty()) return;
    const pos = near ? { x: near.x + (Math.random() - 0.5) * 160, y: near.y + (Math.random() - 0.5) * 160 } : { x: 0, y: 0 };
    cy.add({ group: 'nodes', data: { id: e.id, name: e.name, type: e.__typename }, position: pos });
  }

  async function expand(id) {
    say('Loading…');
    try {
      const { neighborhood: nb } = await gql(AROUND, { id });
      addEntity(nb.center);
      const center = cy.getElementById(nb.center.id);
      center.addClass('expanded');
      const near = center.position();
      nb.nodes.forEach((n) => addEntity(n.entity, near));
      nb.relationships.forEach((r) => {
        addKindBox(r.kind);
        if (cy.getElementById(r.id).nonempty()) return;
        cy.add({ group: 'edges', data: { id: r.id, source: r.from.id, target: r.to.id, kind: r.kind, words: kindWords(r.kind), rationale: r.rationale || '' } });
      });
      applyFilter();
      cy.layout({ name: cy.nodes().length > 1 ? 'cose' : 'grid', animate: false, randomize: false, nodeDimensionsIncludeLabels: true, fit: true, padding: 30 }).run();
      say(`${cy.nodes().not('.filtered').length} entities shown${nb.truncated ? ' (the neighbourhood was cut at 60)' : ''}`);
      select(nb.center.id);
      // The panel's new content may have changed the graph's box (on a phone they are stacked).
      cy.resize();
      cy.fit(undefined, 30);
    } catch (err) {
      say(`Could not load the neighbourhood: ${err.message}`);
    }
  }

  function el(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  }

  function select(id) {
    const e = entities.get(id);
    const node = cy.getElementById(id);
    if (!e || node.empty()) return;
    cy.elements().unselect();
    node.select();
    const neighbours = node.connectedEdges().not('.filtered').map((edge) => {
      const other = edge.source().id() === id ? edge.target() : edge.source();
      const out = edge.source().id() === id;
      const li = el('li', {});
      const pick = el('button', { type: 'button', className: 'neighbour', onclick: () => select(other.id()) }, other.data('name'));
      li.append(out ? `${kindWords(edge.data('kind'))} → ` : `← ${kindWords(edge.data('kind'))} `, pick);
      if (edge.data('rationale')) li.append(el('div', { className: 'why' }, edge.data('rationale')));
      return li;
    });
    const actions = el('p', { className: 'actions' });
    actions.append(el('a', { href: pageOf(e), id: 'open-page' }, 'Open its page'));
    if (!node.hasClass('expanded')) actions.append(el('button', { type: 'button', id: 'expand', onclick: () => expand(id) }, 'Expand neighbours'));
    actions.append(el('button', { type: 'button', onclick: () => restart(e) }, 'Start from here'));
    detail.replaceChildren(
      el('h2', {}, e.name),
      el('p', {}, el('span', { className: 'badge' }, typePaths[e.__typename].replaceAll('-', ' '))),
      el('p', {}, e.summary),
      actions,
      el('h3', {}, 'Related'),
      el('ul', { className: 'links' }, ...neighbours),
    );
  }

  function restart(e) {
    cy.elements().remove();
    entities.clear();
    addEntity(e);
    expand(e.id);
  }

  cy.on('tap', 'node', (evt) => select(evt.target.id()));
  cy.on('dbltap', 'node', (evt) => expand(evt.target.id()));
  cy.on('tap', 'edge', (evt) => {
    const edge = evt.target;
    detail.replaceChildren(
      el('h2', {}, `${edge.source().data('name')} ${kindWords(edge.data('kind'))} ${edge.target().data('name')}`),
      el('p', { className: 'why' }, edge.data('rationale') || 'Implied by an entity’s own fields.'),
    );
  });

  document.getElementById('find').addEventListener('submit', async (evt) => {
    evt.preventDefault();
    const q = document.getElementById('q').value.trim();
    results.replaceChildren();
    if (!q) return;
    try {
      const { search } = await gql(FIND, { q });
      if (!search.edges.length) say(`Nothing matches “${q}”.`);
      results.replaceChildren(...search.edges.map(({ node }) => el('li', {},
        el('button', { type: 'button', onclick: () => { results.replaceChildren(); restart(node); } }, `${node.name} (${typePaths[node.__typename].replaceAll('-', ' ')})`))));
    } catch (err) {
      say(`Could not search: ${err.message}`);
    }
  });

  async function start() {
    const focus = root.dataset.focus;
    if (!focus) {
      say('Find an entity to start.');
      return;
    }
    try {
      const { entity } = await gql(START, { slug: focus });
      if (!entity) {
        say(`No entity has the slug “${focus}”.`);
        return;
      }
      restart(entity);
    } catch (err) {
      say(`Could not load “${focus}”: ${err.message}`);
    }
  }

  // For the browser test and the curious: the graph and a promise of the first load.
  window.trendgraphExplorer = { cy, select, expand };
  start();
})();
