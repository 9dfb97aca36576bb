package models_test

import (
	"context"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
	"github.com/icare-hr/icare/scoring"
)

// BenchmarkSubmitSurvey measures one whole survey through the Store as the
// respondent's path writes it: start, seven saved steps (perspective, five
// keys, comment) and the submit that folds the answers into the cell
// aggregate, on every engine available, and reports surveys per second:
//
//	go test -run x -bench SubmitSurvey -benchtime 2000x ./models/
func BenchmarkSubmitSurvey(b *testing.B) {
	for _, e := range dbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := dbtest.Open(b, e)
			ctx := context.Background()
			team, err := s.CreateTeam(ctx, models.NewTeam{Name: "Bench"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.CreateRound(ctx, models.NewRound{Name: "Bench", Open: true}); err != nil {
				b.Fatal(err)
			}
			persp, comment := "frontline", "Fewer handovers."
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				st, err := s.StartResponse(ctx, team.ID)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.SaveProgress(ctx, st.Response.ID, models.Progress{Perspective: &persp}); err != nil {
					b.Fatal(err)
				}
				for k := range scoring.NumKeys {
					p := models.Progress{}
					for j := range scoring.ItemsPerKey {
						idx := k*scoring.ItemsPerKey + j
						p.Items = append(p.Items, idx)
						p.Answers[idx] = uint8(1 + (i+idx)%5)
					}
					if err := s.SaveProgress(ctx, st.Response.ID, p); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.SaveProgress(ctx, st.Response.ID, models.Progress{Comment: &comment}); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Submit(ctx, st.Response.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "surveys/s")
		})
	}
}
