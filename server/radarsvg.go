package server

import (
	"cmp"
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// The radar as a picture: an SVG drawn on the server with no script and no outside reference,
// so that it works as an <img>, in an iframe and in a Markdown page. Quadrants are sectors,
// rings are annuli of equal area (so each holds as many blips for its size), every entry is a
// numbered blip whose shape tells its movement, and a legend under the radar lists the entries
// by quadrant and ring. Blips and legend lines link to the entities' pages.

// radarTheme is a palette of the picture.
type radarTheme struct {
	background, text, muted, line string
	// ringFill alternates between rings, innermost first.
	ringFill [2]string
}

// radarThemes are the themes ?theme= names; light is the default.
var radarThemes = map[string]radarTheme{
	"light": {background: "#ffffff", text: "#1f2328", muted: "#59636e", line: "#d0d7de", ringFill: [2]string{"#f6f8fa", "#eaeef2"}},
	"dark":  {background: "#0d1117", text: "#e6edf3", muted: "#9198a1", line: "#3d444d", ringFill: [2]string{"#161b22", "#1f2630"}},
}

// The radar's geometry, in SVG user units (pixels at 100%).
const (
	svgWidth     = 1000.0
	radarRadius  = 440.0
	radarTop     = 110.0 // the title and the key of shapes sit above the radar
	legendLine   = 15.0
	legendTop    = 40.0 // between the radar and the legend, for the lower quadrants' names
	maxBlip      = 12.0 // a blip's radius while there is room
	minBlip      = 7.0  // the smallest radius whose number stays legible
	blipGap      = 4.0  // between neighbouring blips, and room for a new blip's halo
	maxRadarGrow = 4.0  // past this scale a radar is not made bigger (see fitBlips)
	// ringLabelClear is how far blips keep from the axis that carries the rings' names:
	// half the names' height and a little air.
	ringLabelClear = 10.0
)

// blipSpot is where a blip is drawn.
type blipSpot struct{ x, y float64 }

// radarLayout is the result of fitBlips.
type radarLayout struct {
	// radius is the outer radius of the radar; blip the radius of every blip.
	radius, blip float64
	// spots are the blips' centres relative to the radar's centre, by entry index.
	spots []blipSpot
	// crowded says that even at the largest radar some segment could not hold its entries
	// apart: those left over share the segment's last spot.
	crowded bool
}

// sectorOf is the angular range of quadrant q of n, clockwise from the left (SVG's y axis
// points down): with four, the first quadrant is top left, then top right, bottom right and
// bottom left, the order of the legend's columns.
func sectorOf(q, n int) (from, to float64) {
	step := 2 * math.Pi / float64(n)
	from = math.Pi + float64(q)*step
	return from, from + step
}

// ringRadii are the outer radii of the rings, innermost first, of equal area.
func ringRadii(rings int, radius float64) []float64 {
	out := make([]float64, rings)
	for k := range out {
		out[k] = radius * math.Sqrt(float64(k+1)/float64(rings))
	}
	return out
}

// segmentSpots are the spots of one quadrant-ring segment where blips of distance d between
// centres fit: rows of spots along arcs, each spot at least d/2 from the segment's edges (so
// blips of neighbouring segments stay d apart too) and d from every other spot (rows are d
// apart, and spots of a row are a chord of d apart). Ordered row by row from the inside out.
//
// clearFrom and clearTo are how far centres keep from the sector's first and last edge: d/2,
// or more beside the axis that carries the rings' names.
func segmentSpots(inner, outer, from, to, d, clearFrom, clearTo float64) []blipSpot {
	if outer-inner < d {
		return nil
	}
	rows := int((outer-inner-d)/d) + 1
	step := 0.0
	if rows > 1 {
		step = (outer - inner - d) / float64(rows-1)
	}
	var out []blipSpot
	for j := range rows {
		r := inner + d/2 + float64(j)*step
		if rows == 1 {
			r = (inner + outer) / 2
		}
		if r < d/2 {
			continue
		}
		if r < clearFrom || r < clearTo {
			continue
		}
		// A centre at angle a from an edge is r·sin(a) from its line.
		first, last := math.Asin(clearFrom/r), math.Asin(clearTo/r)
		span := to - from - first - last
		if span < 0 {
			continue
		}
		gap := 2 * math.Asin(math.Min(1, d/2/r))
		m := int(span/gap) + 1
		if m == 1 {
			// One spot: the middle of the row.
			a := from + first + span/2
			out = append(out, blipSpot{r * math.Cos(a), r * math.Sin(a)})
			continue
		}
		for i := range m {
			a := from + first + span*float64(i)/float64(m-1)
			out = append(out, blipSpot{r * math.Cos(a), r * math.Sin(a)})
		}
	}
	return out
}

// fitBlips places every entry in its quadrant's and ring's segment, without overlap and the
// same way every time: blips are as large as maxBlip while every segment holds its entries,
// shrink to minBlip as segments fill, and past that the radar itself grows (up to maxRadarGrow
// times, the picture with it) so that blips keep their legible size. Within a segment, entries
// (in display order) take spots spread evenly over those available.
func fitBlips(rd *domain.Radar, entries []knowledge.Placement) radarLayout {
	nq, nr := max(len(rd.Quadrants), 1), max(len(rd.Rings), 1)
	seg := make([][]int, nq*nr)
	for i, e := range entries {
		q, r := quadrantIndex(rd, e.Assessment.Quadrant), ringIndex(rd, e.Assessment.Ring)
		seg[q*nr+r] = append(seg[q*nr+r], i)
	}
	spotsFor := func(radius, blip float64) ([][]blipSpot, bool) {
		radii := ringRadii(nr, radius)
		out := make([][]blipSpot, len(seg))
		ok := true
		for s, members := range seg {
			if len(members) == 0 {
				continue
			}
			q, r := s/nr, s%nr
			inner := 0.0
			if r > 0 {
				inner = radii[r-1]
			}
			from, to := sectorOf(q, nq)
			d := 2*blip + blipGap
			clearFrom, clearTo := d/2, d/2
			// The rings' names sit on the left half of the horizontal axis: the first
			// sector's first edge and the last one's last edge.
			if q == 0 {
				clearFrom = blip + ringLabelClear
			}
			if q == nq-1 {
				clearTo = blip + ringLabelClear
			}
			out[s] = segmentSpots(inner, radii[r], from, to, d, clearFrom, clearTo)
			if len(out[s]) < len(members) {
				ok = false
			}
		}
		return out, ok
	}
	layout := radarLayout{radius: radarRadius, blip: maxBlip}
	var spots [][]blipSpot
	for {
		var ok bool
		spots, ok = spotsFor(layout.radius, layout.blip)
		if ok {
			break
		}
		if layout.blip > minBlip {
			layout.blip = math.Max(minBlip, layout.blip-0.5)
			continue
		}
		if layout.radius >= radarRadius*maxRadarGrow {
			layout.crowded = true
			break
		}
		layout.radius = math.Min(radarRadius*maxRadarGrow, layout.radius*1.1)
	}
	layout.spots = make([]blipSpot, len(entries))
	for s, members := range seg {
		avail := spots[s]
		for j, i := range members {
			switch {
			case len(avail) == 0:
				// Only a crowded radar gets here: the segment's middle, drawn over.
				q, r := s/nr, s%nr
				from, to := sectorOf(q, nq)
				radii := ringRadii(nr, layout.radius)
				inner := 0.0
				if r > 0 {
					inner = radii[r-1]
				}
				rr := (inner + radii[r]) / 2
				a := (from + to) / 2
				layout.spots[i] = blipSpot{rr * math.Cos(a), rr * math.Sin(a)}
			case len(members) > len(avail):
				layout.spots[i] = avail[min(j, len(avail)-1)]
			default:
				// Spread evenly: the j-th of n takes the spot at the middle of its share.
				layout.spots[i] = avail[(2*j+1)*len(avail)/(2*len(members))]
			}
		}
	}
	return layout
}

// quadrantIndex and ringIndex are display positions; a slug the radar does not have counts as
// the first, as the API's order has it.
func quadrantIndex(rd *domain.Radar, slug string) int {
	for i, q := range rd.Quadrants {
		if q.Slug == slug {
			return i
		}
	}
	return 0
}

func ringIndex(rd *domain.Radar, slug string) int {
	i, _ := knowledge.RingPosition(rd, slug)
	return i
}

// radarPicture is what renderRadarSVG draws.
type radarPicture struct {
	Radar   *domain.Radar
	Edition domain.Edition
	// Previous is the date of the edition movement is measured from, "" for the first.
	Previous string
	Entries  []knowledge.Placement
	Theme    radarTheme
	// Link is the address of an entity's page.
	Link func(*store.Entity) string
}

// movementWords says a movement in a blip's label.
var movementWords = map[knowledge.Movement]string{
	knowledge.MovementNew: "new", knowledge.MovementMovedIn: "moved in",
	knowledge.MovementMovedOut: "moved out", knowledge.MovementUnchanged: "no change",
}

// movementMarks follow a name in the legend, as the blips' shapes do on the radar.
var movementMarks = map[knowledge.Movement]string{knowledge.MovementNew: " ★", knowledge.MovementMovedIn: " ▲", knowledge.MovementMovedOut: " ▼"}

// renderRadarSVG draws the radar. Everything it writes from data is escaped.
func renderRadarSVG(p radarPicture) []byte {
	rd, th := p.Radar, p.Theme
	layout := fitBlips(rd, p.Entries)
	nq := max(len(rd.Quadrants), 1)
	width := math.Max(svgWidth, 2*layout.radius+60)
	cx, cy := width/2, radarTop+layout.radius+10
	// The legend: one column per quadrant (four to a row), each listing its rings' entries.
	cols := min(nq, 4)
	colWidth := width / float64(cols)
	type legendRow struct {
		text  string
		entry int // -1 for a ring's heading
	}
	columns := make([][]legendRow, nq)
	lastRing := make([]int, nq)
	for q := range lastRing {
		lastRing[q] = -1
	}
	for i, e := range p.Entries {
		q, r := quadrantIndex(rd, e.Assessment.Quadrant), ringIndex(rd, e.Assessment.Ring)
		if r != lastRing[q] {
			columns[q] = append(columns[q], legendRow{text: ringName(rd, r), entry: -1})
			lastRing[q] = r
		}
		columns[q] = append(columns[q], legendRow{text: e.Entity.Name, entry: i})
	}
	legendY := cy + layout.radius + legendTop
	legendHeight := 0.0
	for row := 0; row*cols < nq; row++ {
		tallest := 0
		for q := row * cols; q < min(nq, (row+1)*cols); q++ {
			tallest = max(tallest, len(columns[q]))
		}
		legendHeight += float64(tallest+2) * legendLine
	}
	height := legendY + legendHeight + 30

	var b strings.Builder
	esc := html.EscapeString
	title := rd.Name + " — " + cmp.Or(p.Edition.Name, p.Edition.Date)
	quadrantNames := make([]string, 0, nq)
	for _, q := range rd.Quadrants {
		quadrantNames = append(quadrantNames, q.Name)
	}
	ringNames := make([]string, 0, len(rd.Rings))
	for _, r := range rd.Rings {
		ringNames = append(ringNames, r.Name)
	}
	desc := fmt.Sprintf("A technology radar of %d entries as of %s, in %d quadrants (%s) and %d rings from the centre outwards (%s). "+
		"Each entry is a numbered blip in its quadrant and ring, linking to its page; a circle has not moved, a triangle pointing up moved in towards the centre, "+
		"one pointing down moved out, and a circle with a halo is new", len(p.Entries), p.Edition.Date, len(rd.Quadrants), strings.Join(quadrantNames, ", "),
		len(rd.Rings), strings.Join(ringNames, ", "))
	if p.Previous != "" {
		desc += " since the edition of " + p.Previous
	}
	desc += ". The legend below the radar lists the entries by quadrant and ring with their numbers."
	if rd.Description != "" {
		desc += " " + rd.Description
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="graphics-document document" aria-labelledby="radar-title radar-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`+"\n",
		num(width), num(height), num(width), num(height))
	fmt.Fprintf(&b, "<title id=\"radar-title\">%s</title>\n<desc id=\"radar-desc\">%s</desc>\n", esc(title), esc(desc))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="%s"/>`+"\n", th.background)
	fmt.Fprintf(&b, `<text x="24" y="40" font-size="24" font-weight="600" fill="%s">%s</text>`+"\n", th.text, esc(rd.Name))
	sub := "edition " + p.Edition.Date
	if p.Edition.Name != "" {
		sub = p.Edition.Name + " (" + p.Edition.Date + ")"
	}
	if p.Previous != "" {
		sub += ", movement since " + p.Previous
	}
	fmt.Fprintf(&b, `<text x="24" y="64" font-size="14" fill="%s">%s · %d entries</text>`+"\n", th.muted, esc(sub), len(p.Entries))
	// The key of shapes.
	b.WriteString(`<g aria-hidden="true" font-size="12">` + "\n")
	kx := 24.0
	for _, m := range []knowledge.Movement{knowledge.MovementUnchanged, knowledge.MovementMovedIn, knowledge.MovementMovedOut, knowledge.MovementNew} {
		writeBlipShape(&b, m, kx+7, 86, 6, th.muted, th)
		fmt.Fprintf(&b, `<text x="%s" y="90" fill="%s">%s%s</text>`+"\n", num(kx+18), th.muted, movementWords[m], map[bool]string{true: movementMarks[m]}[m == knowledge.MovementNew])
		kx += 110
	}
	if layout.crowded {
		fmt.Fprintf(&b, `<text x="%s" y="90" fill="%s">too many entries to keep apart: some overlap</text>`+"\n", num(kx+10), th.muted)
	}
	b.WriteString("</g>\n")

	// Rings and quadrant lines.
	radii := ringRadii(len(rd.Rings), layout.radius)
	b.WriteString(`<g aria-hidden="true">` + "\n")
	for k := len(radii) - 1; k >= 0; k-- {
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%s" fill="%s" stroke="%s"/>`+"\n", num(cx), num(cy), num(radii[k]), th.ringFill[k%2], th.line)
	}
	if nq > 1 {
		for q := range nq {
			a, _ := sectorOf(q, nq)
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"/>`+"\n", num(cx), num(cy),
				num(cx+layout.radius*math.Cos(a)), num(cy+layout.radius*math.Sin(a)), th.line)
		}
	}
	// Ring names along the left half of the horizontal axis, which blips keep clear of, on a
	// band of the background so the axis line does not cross them.
	for k, r := range rd.Rings {
		inner := 0.0
		if k > 0 {
			inner = radii[k-1]
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" font-weight="600" text-anchor="middle" fill="%s" stroke="%s" stroke-width="4" paint-order="stroke">%s</text>`+"\n",
			num(cx-(inner+radii[k])/2), num(cy+4), th.muted, th.ringFill[k%2], esc(strings.ToUpper(r.Name)))
	}
	// Quadrant names: with four, in the corners of the square around the radar, which the
	// rings leave empty; otherwise beyond the middle of each sector.
	for q, quad := range rd.Quadrants {
		from, to := sectorOf(q, nq)
		a := (from + to) / 2
		x, y, anchor := cx+(layout.radius+24)*math.Cos(a), cy+(layout.radius+24)*math.Sin(a), "middle"
		if nq == 4 {
			x, y, anchor = 24, cy-layout.radius+10, "start"
			if math.Cos(a) > 0 {
				x, anchor = width-24, "end"
			}
			if math.Sin(a) > 0 {
				y = cy + layout.radius - 4
			}
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="16" font-weight="600" text-anchor="%s" fill="%s">%s</text>`+"\n", num(x), num(y), anchor, th.text, esc(quad.Name))
	}
	b.WriteString("</g>\n")

	// Blips.
	b.WriteString(`<g id="blips">` + "\n")
	for i, e := range p.Entries {
		m := e.Movement()
		s := layout.spots[i]
		x, y := cx+s.x, cy+s.y
		label := fmt.Sprintf("%d. %s: %s, %s, %s", i+1, e.Entity.Name, ringName(rd, ringIndex(rd, e.Assessment.Ring)),
			quadrantName(rd, quadrantIndex(rd, e.Assessment.Quadrant)), movementWords[m])
		fmt.Fprintf(&b, `<a href="%s" aria-label="%s" data-slug="%s" class="blip"><title>%s</title>`, esc(p.Link(e.Entity)), esc(label), esc(e.Entity.Slug), esc(label))
		color := ringColor(rd, e.Assessment.Ring)
		writeBlipShape(&b, m, x, y, layout.blip, color, th)
		size := layout.blip * 0.95
		if i+1 >= 100 {
			size = layout.blip * 0.78
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s" font-weight="600" text-anchor="middle" dominant-baseline="central" fill="#ffffff" aria-hidden="true">%d</text></a>`+"\n",
			num(x), num(y+textNudge(m, layout.blip)), num(size), i+1)
	}
	b.WriteString("</g>\n")

	// Legend.
	b.WriteString(`<g id="legend" font-size="12">` + "\n")
	y0 := legendY
	for row := 0; row*cols < nq; row++ {
		tallest := 0
		for q := row * cols; q < min(nq, (row+1)*cols); q++ {
			x := 24 + float64(q-row*cols)*colWidth
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="15" font-weight="600" fill="%s">%s</text>`+"\n", num(x), num(y0), th.text, esc(quadrantName(rd, q)))
			// About 6.6 units per character at 12: names longer than the column (less the
			// number and the mark) are cut, whole in the link's title.
			maxChars := max(int((colWidth-24-28-16)/6.6), 8)
			for j, line := range columns[q] {
				y := y0 + float64(j+1)*legendLine + 4
				if line.entry < 0 {
					fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" font-weight="600" fill="%s">%s</text>`+"\n", num(x), num(y+3), th.muted, esc(strings.ToUpper(line.text)))
					continue
				}
				e := p.Entries[line.entry]
				name := line.text
				if r := []rune(name); len(r) > maxChars {
					name = string(r[:maxChars-1]) + "…"
				}
				mark := movementMarks[e.Movement()]
				fmt.Fprintf(&b, `<a href="%s"><title>%s</title><text x="%s" y="%s" fill="%s"><tspan font-weight="600">%d</tspan> %s%s</text></a>`+"\n",
					esc(p.Link(e.Entity)), esc(e.Entity.Name), num(x), num(y+3), th.text, line.entry+1, esc(name), mark)
			}
			tallest = max(tallest, len(columns[q]))
		}
		y0 += float64(tallest+2) * legendLine
	}
	b.WriteString("</g>\n</svg>\n")
	return []byte(b.String())
}

// writeBlipShape draws a blip's shape for a movement: a circle (no change), a triangle pointing
// up (moved in) or down (moved out), a circle with a halo (new).
func writeBlipShape(b *strings.Builder, m knowledge.Movement, x, y, r float64, color string, th radarTheme) {
	switch m {
	case knowledge.MovementMovedIn, knowledge.MovementMovedOut:
		// A triangle a little larger than the circle, so the number fits, within the blip's room.
		s := r * 1.15
		dir := 1.0
		if m == knowledge.MovementMovedOut {
			dir = -1
		}
		fmt.Fprintf(b, `<path d="M%s %sL%s %sL%s %sZ" fill="%s" stroke="%s" stroke-width="1"/>`, num(x), num(y-dir*s), num(x+s*0.866*1.1), num(y+dir*s*0.6),
			num(x-s*0.866*1.1), num(y+dir*s*0.6), color, th.background)
	case knowledge.MovementNew:
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%s" fill="none" stroke="%s" stroke-width="1.5"/>`, num(x), num(y), num(r+1.8), color)
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%s" fill="%s"/>`, num(x), num(y), num(r-0.6), color)
	default:
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%s" fill="%s"/>`, num(x), num(y), num(r), color)
	}
}

// textNudge moves a number towards a triangle's wide side, where it has room.
func textNudge(m knowledge.Movement, r float64) float64 {
	switch m {
	case knowledge.MovementMovedIn:
		return r * 0.2
	case knowledge.MovementMovedOut:
		return -r * 0.2
	}
	return 0
}

func ringName(rd *domain.Radar, i int) string {
	if i < len(rd.Rings) {
		return rd.Rings[i].Name
	}
	return ""
}

func quadrantName(rd *domain.Radar, i int) string {
	if i < len(rd.Quadrants) {
		return rd.Quadrants[i].Name
	}
	return ""
}

// ringColor is the ring's colour from the data, grey when it has none; only a colour of the
// form #rgb or #rrggbb is written into the picture.
func ringColor(rd *domain.Radar, slug string) string {
	for _, r := range rd.Rings {
		if r.Slug == slug && hexColorRe(r.Color) {
			return r.Color
		}
	}
	return "#9e9e9e"
}

func hexColorRe(c string) bool {
	if len(c) != 4 && len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, ch := range c[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", ch) {
			return false
		}
	}
	return true
}

// num writes a coordinate with one decimal: enough for a screen, and the same every time.
func num(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	return strings.TrimSuffix(s, ".0")
}
