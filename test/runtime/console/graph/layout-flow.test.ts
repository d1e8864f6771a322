import { describe, expect, test } from 'vitest'
import { placeInColumn } from '../../../../runtime/console/graph/column-placement.js'
import { flowSpecs } from '../../../../runtime/console/graph/flow-specs.js'
import {
  type FlowLayout,
  type LayoutNode,
  layoutFlow,
} from '../../../../runtime/console/graph/index.js'
import type { FlowDocument } from '../../../../types/index.js'
import { everyKind, longFlow } from './flow-documents.js'

const edgesOf = (layout: FlowLayout) =>
  layout.edges.map((e) => [e.from, e.to, e.kind, e.label ?? null])

function overlap(a: LayoutNode, b: LayoutNode): boolean {
  return (
    Math.abs(a.x - b.x) < (a.width + b.width) / 2 && Math.abs(a.y - b.y) < (a.height + b.height) / 2
  )
}

/** Every box inside the drawing, no two boxes over each other, every edge routed. */
function expectWellPlaced(layout: FlowLayout): void {
  for (const [i, a] of layout.nodes.entries()) {
    expect(a.x - a.width / 2).toBeGreaterThanOrEqual(0)
    expect(a.y - a.height / 2).toBeGreaterThanOrEqual(0)
    expect(a.x + a.width / 2).toBeLessThanOrEqual(layout.width)
    expect(a.y + a.height / 2).toBeLessThanOrEqual(layout.height)
    for (const b of layout.nodes.slice(i + 1)) {
      if (overlap(a, b)) expect.fail(`${a.id} and ${b.id} overlap`)
    }
  }
  for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2)
}

describe('layoutFlow', () => {
  test('a node per step between start and end, with its kind and lines', () => {
    const layout = layoutFlow(everyKind)
    expect(layout.name).toBe('fulfil')
    expect(layout.version).toBe(3)
    expect(layout.nodes.map((n) => [n.id, n.kind, n.lines])).toEqual([
      ['start', 'start', ['start']],
      ['charge', 'task', ['charge', 'task charge@2', 'undo: task refund@1']],
      ['route', 'set', ['route', 'set']],
      ['review', 'waitFor', ['review', 'wait for approved']],
      ['ship', 'parallel', ['ship', 'label → task print-label@1', 'pickup → flow book-pickup@3']],
      ['items', 'forEach', ['items', 'for each input.items → flow pack@1']],
      ['pause', 'sleep', ['pause', 'sleep PT5M']],
      ['sub', 'flow', ['sub', 'flow audit@4', 'undo: flow unaudit@1']],
      ['notify', 'fail', ['notify', 'fail']],
      ['end', 'end', ['end']],
    ])
    expectWellPlaced(layout)
  })

  test('edges: conditions, else, plain next and fall-through, error routes, loops, end', () => {
    const layout = layoutFlow(everyKind)
    expect(edgesOf(layout)).toEqual([
      ['start', 'charge', 'next', null],
      ['charge', 'route', 'next', null],
      ['charge', 'notify', 'error', 'error'],
      ['route', 'review', 'next', 'steps.route.output.big'],
      ['route', 'ship', 'next', 'else'],
      ['review', 'notify', 'next', '!steps.review.output.ok'],
      ['review', 'ship', 'next', null],
      ['ship', 'items', 'next', null],
      ['items', 'pause', 'next', null],
      ['pause', 'items', 'next', 'size(steps.items.output) < 3'],
      ['pause', 'sub', 'next', null],
      ['sub', 'end', 'next', null],
    ])
    for (const edge of layout.edges) {
      expect(edge.key).toBe(`${edge.from}->${edge.to}`)
      expect(layout.nodes[edge.source]?.id).toBe(edge.from)
      expect(layout.nodes[edge.target]?.id).toBe(edge.to)
      expect(edge.labelBox === undefined).toBe(edge.label === undefined)
    }
  })

  test('boxes are sized from their text, top to bottom from start to end', () => {
    const layout = layoutFlow(everyKind)
    const node = (id: string) => layout.nodes.find((n) => n.id === id) as LayoutNode
    expect(node('charge').height).toBeGreaterThan(node('route').height)
    expect(node('items').width).toBeGreaterThan(node('route').width)
    expect(node('start').y).toBeLessThan(node('charge').y)
    expect(node('charge').y).toBeLessThan(node('route').y)
    expect(node('sub').y).toBeLessThan(node('end').y)
  })

  test('a step with no next falls through to the following step, the last one to end', () => {
    const doc: FlowDocument = {
      name: 'plain',
      steps: [
        { id: 'a', sleep: 5000 },
        { id: 'b', task: 'x' },
      ],
    }
    const layout = layoutFlow(doc)
    expect(layout.version).toBeUndefined()
    expect(layout.nodes.map((n) => n.lines)).toEqual([
      ['start'],
      ['a', 'sleep 5000 ms'],
      ['b', 'task x'],
      ['end'],
    ])
    expect(edgesOf(layout)).toEqual([
      ['start', 'a', 'next', null],
      ['a', 'b', 'next', null],
      ['b', 'end', 'next', null],
    ])
  })

  test('a step that loops on itself is drawn beside itself, with its label', () => {
    const doc: FlowDocument = {
      name: 'poll',
      steps: [
        { id: 'poll', task: 'check@1', next: [{ if: '!steps.poll.output.done', goto: 'poll' }] },
        { id: 'done', set: 1 },
      ],
    }
    const layout = layoutFlow(doc)
    expect(edgesOf(layout)).toEqual([
      ['start', 'poll', 'next', null],
      ['poll', 'poll', 'next', '!steps.poll.output.done'],
      ['poll', 'done', 'next', null],
      ['done', 'end', 'next', null],
    ])
    const poll = layout.nodes[1] as LayoutNode
    const loop = layout.edges[1]
    const right = poll.x + poll.width / 2
    expect(loop?.points[0]?.x).toBe(right)
    expect(loop?.points.at(-1)?.x).toBe(right)
    const box = loop?.labelBox
    expect(box && box.x - box.width / 2).toBeGreaterThan(right)
    expect(box && box.x + box.width / 2).toBeLessThanOrEqual(layout.width)
    expectWellPlaced(layout)
  })

  test('long text is shortened, the full text kept as the title', () => {
    const condition = `steps.a.output.${'x'.repeat(60)} == true`
    const branches = Object.fromEntries(
      ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((b) => [b, { task: 't@1' }]),
    )
    const doc: FlowDocument = {
      name: 'long-text',
      steps: [
        {
          id: 'a',
          task: `very-long-task-name-${'y'.repeat(40)}@1`,
          next: [{ if: condition, goto: 'end' }],
        },
        { id: 'p', description: 'fans out', parallel: branches },
      ],
    }
    const layout = layoutFlow(doc)
    const [, a, p] = layout.nodes
    expect(a?.lines[1]).toHaveLength(44)
    expect(a?.lines[1]?.endsWith('…')).toBe(true)
    expect(a?.title).toBe(`a\ntask very-long-task-name-${'y'.repeat(40)}@1`)
    expect(p?.lines).toEqual([
      'p',
      'b1 → task t@1',
      'b2 → task t@1',
      'b3 → task t@1',
      '+3 more branches',
    ])
    expect(p?.title.split('\n')).toEqual([
      'p',
      'b1 → task t@1',
      'b2 → task t@1',
      'b3 → task t@1',
      '+3 more branches',
      'fans out',
    ])
    const edge = layout.edges.find((e) => e.from === 'a' && e.to === 'end')
    expect(edge?.label).toHaveLength(32)
    expect(edge?.title).toBe(condition)
  })

  test('a step named start is told from the start terminal by its index', () => {
    const layout = layoutFlow({ name: 's', steps: [{ id: 'start', task: 'x@1' }] })
    expect(edgesOf(layout)).toEqual([
      ['start', 'start', 'next', null],
      ['start', 'end', 'next', null],
    ])
    expect(layout.edges.map((e) => [e.source, e.target])).toEqual([
      [0, 1],
      [1, 2],
    ])
  })

  test('a flow of 200 steps (the dagre limit) is laid out by dagre', () => {
    const layout = layoutFlow(longFlow(200))
    expect(layout.nodes).toHaveLength(202)
    // Placed by dagre (branches beside the main line), not in the fallback's single column.
    expect(new Set(layout.nodes.map((n) => n.x)).size).toBeGreaterThan(1)
    expect(layout.edges.length).toBeGreaterThan(200)
    expectWellPlaced(layout)
  })

  test('a 1,000-step flow, past the dagre limit, is placed in one column, in document order', () => {
    const layout = layoutFlow(longFlow(1000))
    expect(layout.nodes).toHaveLength(1002)
    expect(layout.nodes.map((n) => n.id).slice(0, 3)).toEqual(['start', 's0', 's1'])
    const ys = layout.nodes.map((n) => n.y)
    expect(ys).toEqual([...ys].sort((a, b) => a - b))
    expectWellPlaced(layout)
  })

  test('the largest flow the schema allows (5,000 steps) lays out', () => {
    const layout = layoutFlow(longFlow(5000))
    expect(layout.nodes).toHaveLength(5002)
    expect(layout.edges.at(-1)?.key).toBe('s4999->end')
  })
})

describe('column placement', () => {
  const specs = flowSpecs(everyKind)
  const layout = placeInColumn(everyKind.name, everyKind.version, specs)

  test('the same nodes and edges as the dagre layout, placed in one column', () => {
    const dagre = layoutFlow(everyKind)
    expect(layout.nodes.map((n) => [n.id, n.kind, n.lines])).toEqual(
      dagre.nodes.map((n) => [n.id, n.kind, n.lines]),
    )
    expect(edgesOf(layout)).toEqual(edgesOf(dagre))
    expect(new Set(layout.nodes.map((n) => n.x)).size).toBe(1)
    expectWellPlaced(layout)
  })

  test('an edge to the box below is straight; the others leave and enter on the right', () => {
    const straight = layout.edges.find((e) => e.key === 'charge->route')
    expect(straight?.points).toHaveLength(2)
    expect(straight?.points[0]?.x).toBe(straight?.points[1]?.x)
    const back = layout.edges.find((e) => e.key === 'pause->items')
    const pause = layout.nodes.find((n) => n.id === 'pause') as LayoutNode
    const items = layout.nodes.find((n) => n.id === 'items') as LayoutNode
    expect(back?.points[0]?.x).toBe(pause.x + pause.width / 2)
    expect(back?.points.at(-1)?.x).toBe(items.x + items.width / 2)
    const box = back?.labelBox
    expect(box && box.x - box.width / 2).toBeGreaterThan(pause.x + pause.width / 2)
    // Both edges into `notify` share its lane.
    const lanes = layout.edges.filter((e) => e.to === 'notify').map((e) => e.points[1]?.x)
    expect(lanes).toHaveLength(2)
    expect(lanes[0]).toBe(lanes[1])
    for (const edge of layout.edges) {
      for (const p of edge.points) expect(p.x).toBeLessThanOrEqual(layout.width)
    }
  })
})
