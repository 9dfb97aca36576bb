package models

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/icare-hr/icare/scoring"
)

// DemoEmail is the demo admin's login printed by serve --demo. Its password
// is random, made when the demo data is, and printed once: a --demo run
// against an empty production database leaves no known password behind.
const DemoEmail = "demo@icare.example"

// demoTeam is one team of the sample organization, with how it tends to
// answer: a level per key on the 1–5 scale.
type demoTeam struct {
	name, parent string
	headcount    int
	codes        bool   // answers with personal codes in the current round
	responses    [2]int // per round: earlier, current
	level        [scoring.NumKeys]float64
}

var demoTeams = []demoTeam{
	{name: "Customer Operations", headcount: 87, responses: [2]int{4, 5}, level: [5]float64{3.9, 3.6, 3.8, 3.9, 3.4}},
	{name: "Contact Centre", parent: "Customer Operations", headcount: 48, responses: [2]int{31, 38}, level: [5]float64{3.7, 3.3, 3.9, 3.6, 2.9}},
	{name: "Field Service", parent: "Customer Operations", headcount: 26, responses: [2]int{17, 21}, level: [5]float64{4.1, 3.8, 3.6, 4.2, 3.7}},
	{name: "Billing Support", parent: "Customer Operations", headcount: 7, codes: true, responses: [2]int{3, 4}, level: [5]float64{3.4, 3.1, 3.3, 3.5, 3.0}},
	{name: "Sales", headcount: 34, responses: [2]int{22, 26}, level: [5]float64{3.8, 3.5, 4.2, 3.7, 3.9}},
	{name: "Product & Engineering", headcount: 52, responses: [2]int{29, 35}, level: [5]float64{3.3, 3.4, 3.0, 3.1, 3.8}},
	{name: "People & Culture", headcount: 9, responses: [2]int{6, 8}, level: [5]float64{4.2, 4.3, 4.0, 4.1, 4.0}},
}

var demoComments = []string{
	"Give us ten minutes at the start of each shift to share what customers told us yesterday.",
	"Let frontline staff refund small amounts without waiting for a manager.",
	"Tell us when a promised fix slips, so we can warn the customer before they chase us.",
	"Fewer handovers between teams: one person should own a case until it is solved.",
	"Celebrate the colleagues who go the extra mile, not only the ones who close the most tickets.",
	"Our internal requests get lost in e-mail. A shared queue would help.",
	"Ask customers what they expected, not only whether they were satisfied.",
	"Managers could spend an hour a month on the phones with us.",
	"Zoë's team answers within the hour; we should learn how they do it.",
	"Stop measuring call length; measure whether the problem was solved.",
}

// IsEmpty reports whether the database holds no teams, rounds or responses:
// the condition for filling it with demo data.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	for _, m := range []any{&Team{}, &Round{}, &Response{}} {
		var n int64
		if err := s.rdb.WithContext(ctx).Model(m).Limit(1).Count(&n).Error; err != nil {
			return false, fmt.Errorf("check empty database: %w", err)
		}
		if n > 0 {
			return false, nil
		}
	}
	return true, nil
}

// SeedDemo fills an empty database with a sample organization: a parent team
// with three children (the smallest on personal codes in the open round)
// and three more teams, a closed round with an action plan, a closed pulse
// round on Empowerment, and an open round,
// and a few hundred submitted responses spread over the perspectives, plus a
// few unfinished ones and an admin login, whose new password it returns. It
// leaves a database that holds data alone (and returns "").
func (s *Store) SeedDemo(ctx context.Context) (password string, err error) {
	empty, err := s.IsEmpty(ctx)
	if err != nil || !empty {
		return "", err
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	ids := map[string]uint{}
	for _, dt := range demoTeams {
		nt := NewTeam{Name: dt.name, Headcount: &dt.headcount}
		if dt.parent != "" {
			pid := ids[dt.parent]
			nt.ParentID = &pid
		}
		t, err := s.CreateTeam(ctx, nt)
		if err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
		ids[dt.name] = t.ID
	}
	for round, name := range []string{"2026 Q2", "2026 Q4"} {
		r, err := s.CreateRound(ctx, NewRound{Name: name, Open: true})
		if err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
		for _, dt := range demoTeams {
			// The later round shows a little growth, most in Empowerment.
			level := dt.level
			if round == 1 {
				for k := range level {
					level[k] += 0.1 + 0.1*float64(k)/4
				}
			}
			start := func() (Started, error) { return s.StartResponse(ctx, ids[dt.name]) }
			if round == 1 && dt.codes {
				// The small team answers with personal codes: one each, a
				// few of them used.
				if _, err := s.SetTeamAccess(ctx, CommandLine, ids[dt.name], AccessCodes); err != nil {
					return "", fmt.Errorf("demo: %w", err)
				}
				batch, _, err := s.GenerateCodes(ctx, NewCodes{TeamID: ids[dt.name], Count: dt.headcount})
				if err != nil {
					return "", fmt.Errorf("demo: %w", err)
				}
				codes := batch.Codes()
				start = func() (Started, error) {
					code := codes[0]
					codes = codes[1:]
					return s.StartWithCode(ctx, code)
				}
			}
			for range dt.responses[round] {
				if err := s.seedResponse(ctx, rng, start, level, true); err != nil {
					return "", err
				}
			}
			if round == 1 && dt.headcount > 20 {
				if err := s.seedResponse(ctx, rng, start, level, false); err != nil {
					return "", err
				}
			}
		}
		if round == 0 {
			closed, err := s.CloseRound(ctx, CommandLine, r.ID)
			if err != nil {
				return "", fmt.Errorf("demo: %w", err)
			}
			if err := s.seedPlan(ctx, ids["Contact Centre"], closed); err != nil {
				return "", err
			}
			if err := s.seedPulse(ctx, rng, ids); err != nil {
				return "", err
			}
		}
	}
	password = "demo-" + NewToken()[:12]
	if _, err := s.EnsureAdmin(ctx, DemoEmail, password); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return password, nil
}

// seedResponse adds one response answered around level; submit says whether
// it is finished; start begins it.
func (s *Store) seedResponse(ctx context.Context, rng *rand.Rand, start func() (Started, error), level [scoring.NumKeys]float64, submit bool) error {
	st, err := start()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	p := Progress{Perspective: ptr(demoPerspective(rng))}
	person := rng.NormFloat64() * 0.45
	for i := range scoring.NumItems {
		p.Items = append(p.Items, i)
		if !submit && i >= 12 {
			continue // an unfinished response stops half-way
		}
		if rng.Float64() < 0.03 {
			continue // skipped
		}
		v := level[scoring.KeyOfItem(i)] + person + rng.NormFloat64()*0.7
		raw := uint8(math.Max(1, math.Min(5, math.Round(v))))
		if scoring.ItemReverse(i) {
			raw = 6 - raw
		}
		p.Answers[i] = raw
	}
	if submit && rng.Float64() < 0.3 {
		p.Comment = ptr(demoComments[rng.IntN(len(demoComments))])
	}
	if err := s.SaveProgress(ctx, st.Response.ID, p); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if !submit {
		return nil
	}
	if _, err := s.Submit(ctx, st.Response.ID); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

func demoPerspective(rng *rand.Rand) string {
	switch x := rng.Float64(); {
	case x < 0.6:
		return "frontline"
	case x < 0.8:
		return "manager"
	case x < 0.88:
		return "senior_leader"
	default:
		return "unspecified"
	}
}

func ptr[T any](v T) *T { return &v }

// seedPlan gives team the action plan a leader might have made after round
// r: Empowerment, its weakest key, with three habits of the library at three
// stages.
func (s *Store) seedPlan(ctx context.Context, team uint, r Round) error {
	k, _ := scoring.KeyIndex("E")
	habits := scoring.HabitsFor(k)
	closed := r.ClosesAt.UTC()
	due := func(days int) *time.Time { d := closed.AddDate(0, 0, days); return &d }
	_, err := s.SavePlan(ctx, PlanInput{TeamID: &team, RoundID: r.ID, Keys: []int{k}, By: CommandLine,
		Notes: "Agreed at the team meeting after the results: fewer hand-offs, more decisions at the desk.",
		Actions: []ActionInput{
			{Habit: habits[0], Owner: "Team leads", Status: ActionDone, Due: due(30)},
			{Habit: habits[1], Owner: "Priya N.", Status: ActionDoing, Due: due(60)},
			{Habit: habits[2], Owner: "Everyone", Status: ActionPlanned, Due: due(120)},
		}})
	if err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}
	return nil
}

// seedPulse adds a closed pulse round on Empowerment, the key of the demo's
// plan, in which every team moved a little.
func (s *Store) seedPulse(ctx context.Context, rng *rand.Rand, ids map[string]uint) error {
	e, _ := scoring.KeyIndex("E")
	r, err := s.CreateRound(ctx, NewRound{Name: "2026 Q3 pulse", Open: true, Keys: []int{e}})
	if err != nil {
		return fmt.Errorf("demo pulse: %w", err)
	}
	for _, dt := range demoTeams {
		level := dt.level
		level[e] += 0.3
		start := func() (Started, error) { return s.StartResponse(ctx, ids[dt.name]) }
		for range max(1, dt.responses[0]*4/5) {
			if err := s.seedResponse(ctx, rng, start, level, true); err != nil {
				return err
			}
		}
	}
	if _, err := s.CloseRound(ctx, CommandLine, r.ID); err != nil {
		return fmt.Errorf("demo pulse: %w", err)
	}
	return nil
}
