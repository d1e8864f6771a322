import { describe, expect, test } from 'vitest'
import {
  type FlowMark,
  flowGraphCss,
  layoutFlow,
  pathOf,
  renderFlowSvg,
} from '../../../../runtime/console/graph/index.js'
import type { FlowDocument } from '../../../../types/index.js'
import { everyKind } from './flow-documents.js'

/** The class list of each element that carries `attribute` (`data-step`, `data-edge`), by its value. */
function classesBy(svg: string, element: RegExp, attribute: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const pattern = new RegExp(`<g class="([^"]*)" ${attribute}="([^"]*)"`, 'g')
  for (const [, classes = '', value = ''] of svg.matchAll(pattern)) {
    if (!element.test(classes)) continue
    out.set(value.replaceAll('&gt;', '>'), classes.split(' '))
  }
  return out
}

const stepClasses = (svg: string) => classesBy(svg, /^node /, 'data-step')
const edgeClasses = (svg: string) => classesBy(svg, /^edge( |$)/, 'data-edge')
const terminalClasses = (svg: string, kind: 'start' | 'end') =>
  new RegExp(`<g class="(node ${kind}[^"]*)"`).exec(svg)?.[1]?.split(' ')

describe('renderFlowSvg', () => {
  test('an svg with a viewBox, an arrowhead marker, a box per node and a path per edge', () => {
    const layout = layoutFlow(everyKind)
    const svg = renderFlowSvg(layout)
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="flow-graph"')).toBe(true)
    expect(svg).toContain(`viewBox="0 0 ${layout.width} ${layout.height}"`)
    expect(svg).toContain('aria-label="flow fulfil@3"')
    expect(svg).toMatch(
      /<defs><marker id="weir-arrow" class="arrow plain"[^>]*><path d="[^"]+"\/><\/marker>/,
    )
    expect(svg.match(/<rect /g)?.length).toBe(
      layout.nodes.length + layout.edges.filter((e) => e.label !== undefined).length,
    )
    expect(svg.match(/<path d="M[^"]*" marker-end="url\(#weir-arrow(-error)?\)"\/>/g)?.length).toBe(
      layout.edges.length,
    )
    expect([...stepClasses(svg)]).toEqual([
      ['charge', ['node', 'task']],
      ['route', ['node', 'set']],
      ['review', ['node', 'waitFor']],
      ['ship', ['node', 'parallel']],
      ['items', ['node', 'forEach']],
      ['pause', ['node', 'sleep']],
      ['sub', ['node', 'flow']],
      ['notify', ['node', 'fail']],
    ])
    expect(edgeClasses(svg).get('charge->notify')).toEqual(['edge', 'error-edge'])
    expect(svg).toContain('>for each input.items → flow pack@1</text>')
    expect(svg).toContain('>undo: task refund@1</text>')
    expect(svg).toContain('>size(steps.items.output) &lt; 3</text>')
    expect(svg.endsWith('</g></svg>')).toBe(true)
  })

  test('no inline style and no script, only classes', () => {
    const svg = renderFlowSvg(layoutFlow(everyKind), { visited: new Set(['charge']) })
    expect(svg).not.toMatch(/\sstyle=/)
    expect(svg).not.toMatch(/<script|<style|\son[a-z]+=/i)
    expect(flowGraphCss).toContain('.flow-graph .edge.taken path')
  })

  test('ids, conditions and names from the document are escaped', () => {
    const doc: FlowDocument = {
      name: 'x<y>&"z"',
      steps: [
        {
          id: '<script>alert(1)</script>',
          task: 'a&b@1',
          next: [{ if: `steps.a.output < 3 && "<script>" != ''`, goto: 'end' }],
        },
        { id: 'w&w', waitFor: '<img src=x onerror=alert(1)>' },
      ],
    }
    const svg = renderFlowSvg(layoutFlow(doc), {
      visited: new Set(['<script>alert(1)</script>']),
      current: 'w&w',
    })
    expect(svg).not.toContain('<script')
    expect(svg).not.toContain('<img')
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;</text>')
    expect(svg).toContain('data-step="&lt;script&gt;alert(1)&lt;/script&gt;"')
    expect(svg).toContain('>task a&amp;b@1</text>')
    expect(svg).toContain('>wait for &lt;img src=x onerror=alert(1)&gt;</text>')
    expect(svg).toContain(
      '<title>steps.a.output &lt; 3 &amp;&amp; &quot;&lt;script&gt;&quot; != &#39;&#39;</title>',
    )
    expect(svg).toContain('>steps.a.output &lt; 3 &amp;&amp; &quot;&lt;script&gt;…</text>')
    expect(svg).toContain('aria-label="flow x&lt;y&gt;&amp;&quot;z&quot;"')
    expect(svg).toContain('data-edge="w&amp;w-&gt;end"')
    // Every `&` starts an entity; every `<` starts a tag this renderer writes.
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;|#39;)/)
    const tags = new Set([...svg.matchAll(/<\/?([a-zA-Z]+)/g)].map((m) => m[1]))
    expect([...tags].sort()).toEqual([
      'defs',
      'g',
      'marker',
      'path',
      'rect',
      'svg',
      'text',
      'title',
    ])
  })

  test('a run marks the steps it visited, the edges it took, its current and failed steps', () => {
    const layout = layoutFlow(everyKind)
    const runs = ['charge', 'route', 'review', 'notify'].map((stepId) => ({ stepId }))
    const mark: FlowMark = { ...pathOf(runs, 'failed'), failed: 'notify' }
    const svg = renderFlowSvg(layout, mark)
    expect(svg).toContain('class="flow-graph marked"')
    const steps = stepClasses(svg)
    expect(steps.get('charge')).toEqual(['node', 'task', 'visited'])
    expect(steps.get('review')).toEqual(['node', 'waitFor', 'visited'])
    expect(steps.get('notify')).toEqual(['node', 'fail', 'visited', 'failed'])
    expect(steps.get('ship')).toEqual(['node', 'parallel'])
    const edges = edgeClasses(svg)
    expect(edges.get('start->charge')).toEqual(['edge', 'taken'])
    expect(edges.get('route->review')).toEqual(['edge', 'taken'])
    expect(edges.get('review->notify')).toEqual(['edge', 'taken'])
    expect(edges.get('route->ship')).toEqual(['edge'])
    expect(edges.get('charge->notify')).toEqual(['edge', 'error-edge'])
    expect(svg).toContain('<g class="edge-label taken" data-edge="route-&gt;review">')
    expect(terminalClasses(svg, 'start')).toEqual(['node', 'start', 'visited'])
    expect(terminalClasses(svg, 'end')).toEqual(['node', 'end'])
    expect(svg).toMatch(
      /data-edge="review-&gt;notify"><title>[^<]*<\/title><path d="[^"]*" marker-end="url\(#weir-arrow-taken\)"/,
    )
  })

  test('a completed run reaches end; a running one marks its current step', () => {
    const layout = layoutFlow(everyKind)
    const done = renderFlowSvg(
      layout,
      pathOf(
        ['charge', 'route', 'ship', 'items', 'pause', 'items', 'pause', 'sub'].map((stepId) => ({
          stepId,
        })),
        'completed',
      ),
    )
    expect(terminalClasses(done, 'end')).toEqual(['node', 'end', 'visited'])
    expect(edgeClasses(done).get('pause->items')).toEqual(['edge', 'taken'])
    expect(edgeClasses(done).get('sub->end')).toEqual(['edge', 'taken'])

    const running = renderFlowSvg(layout, {
      ...pathOf([{ stepId: 'charge' }, { stepId: 'route' }, { stepId: 'ship' }], 'waiting'),
      current: 'ship',
    })
    expect(stepClasses(running).get('ship')).toEqual(['node', 'parallel', 'visited', 'current'])
    expect(terminalClasses(running, 'end')).toEqual(['node', 'end'])
  })

  test('unmarked, nothing is dimmed', () => {
    const svg = renderFlowSvg(layoutFlow(everyKind), {})
    expect(svg).toContain('class="flow-graph"')
    const classes = [...svg.matchAll(/<g class="([^"]*)"/g)].flatMap((m) => m[1]?.split(' '))
    for (const mark of ['visited', 'taken', 'current', 'failed'])
      expect(classes).not.toContain(mark)
    expect(classes).toContain('node')
  })
})
