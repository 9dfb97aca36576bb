package results

import (
	"fmt"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// BenchmarkBuild200Teams builds a round's results for 20 departments of 9
// teams each (200 teams in all) with four perspectives per team — the work a
// result page or an export does before it shows a number, anonymity rules
// per key included.
func BenchmarkBuild200Teams(b *testing.B) {
	var teams []models.Team
	var cells []models.Cell
	id := uint(0)
	persp := scoring.Perspectives
	for d := range 20 {
		id++
		dept := id
		teams = append(teams, team(dept, fmt.Sprintf("Dept %02d", d), 0))
		for c := range 9 {
			id++
			teams = append(teams, team(id, fmt.Sprintf("Dept %02d team %d", d, c), dept))
			for p, name := range persp {
				cells = append(cells, cell(id, name, agg(1+(int(id)+p)%7, uint8(1+(int(id)+p)%5))))
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := Build(teams, cells, opts5); err != nil {
			b.Fatal(err)
		}
	}
}
