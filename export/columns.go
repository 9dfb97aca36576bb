package export

import (
	"strings"

	"github.com/icare-hr/icare/scoring"
)

// IndexKey names the ICARE index in organization.csv's key column.
const IndexKey = "icare_index"

// PathSeparator joins the names of team_path, from the top team down.
const PathSeparator = " / "

// A Column is one column of a CSV file: its name in the header row and how
// a row of type R writes its cell. A file is a list of columns, so the
// header and every row come from the same list and a column is found by
// its name, never by its position.
type Column[R any] struct {
	Name string
	Cell func(w Cells, r *R)
}

// Names returns the header row of cols.
func Names[R any](cols []Column[R]) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// WriteRow writes r's cells in the order of cols and ends the row.
func WriteRow[R any](w Table, cols []Column[R], r *R) error {
	for _, c := range cols {
		c.Cell(w, r)
	}
	return w.EndRow()
}

// WriteTable writes the header row of cols and then each of rows.
func WriteTable[R any](w Table, cols []Column[R], rows []R) error {
	if err := w.Header(Names(cols)); err != nil {
		return err
	}
	for i := range rows {
		if err := WriteRow(w, cols, &rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// ResponseColumns returns the header of responses.csv. Its
// rows are written cell by cell for speed: the response's own cells come
// ready from the database (see StoredResponseCells).
func ResponseColumns() []string {
	cols := []string{"response_id", "round", "team", "team_path", "perspective", "instrument_version", "submitted_at"}
	cols = append(cols, scoring.ItemIDs()...)
	cols = append(cols, keySlugs()...)
	return append(cols, IndexKey, "straightlined", "comment")
}

// TeamRow is one row of teams.csv: one team's roll-up in a round (a parent
// counts its sub-teams' respondents).
type TeamRow struct {
	Round, Team string
	// Path is the chain of names from the top team down.
	Path []string
	N    int
	// Headcount counts everyone in the team, sub-teams included; nil when
	// unknown.
	Headcount *int
	// ResponseRate is n / headcount × 100, missing when the headcount is
	// unknown or 0.
	ResponseRate scoring.Value
	// Suppressed rows keep their counts and leave every score empty.
	Suppressed bool
	// Profile is the team's profile as the anonymity rules let it be seen
	// (a hidden key is missing in it); ignored when Suppressed.
	Profile scoring.GroupProfile
}

// TeamFile is teams.csv, column by column.
var TeamFile = func() []Column[TeamRow] {
	cols := []Column[TeamRow]{
		{"round", func(w Cells, r *TeamRow) { w.Text(r.Round) }},
		{"team", func(w Cells, r *TeamRow) { w.Text(r.Team) }},
		{"team_path", func(w Cells, r *TeamRow) { w.Text(TeamPath(r.Path)) }},
		{"n", func(w Cells, r *TeamRow) { w.Int(int64(r.N)) }},
		{"headcount", func(w Cells, r *TeamRow) { w.OptInt(r.Headcount) }},
		{"response_rate", func(w Cells, r *TeamRow) { w.Score(r.ResponseRate) }},
		{"suppressed", func(w Cells, r *TeamRow) { w.Bool(r.Suppressed) }},
	}
	// score is a column of the profile: empty in a suppressed row.
	score := func(name string, v func(p *scoring.GroupProfile) scoring.Value) Column[TeamRow] {
		return Column[TeamRow]{name, func(w Cells, r *TeamRow) {
			if r.Suppressed {
				w.Empty()
				return
			}
			w.Score(v(&r.Profile))
		}}
	}
	key := func(name string, k func(p *scoring.GroupProfile) int) Column[TeamRow] {
		return Column[TeamRow]{name, func(w Cells, r *TeamRow) {
			if r.Suppressed {
				w.Empty()
				return
			}
			w.Text(KeyWord(k(&r.Profile)))
		}}
	}
	for k, slug := range scoring.KeySlugs() {
		cols = append(cols, score(slug, func(p *scoring.GroupProfile) scoring.Value { return p.Keys[k].Mean }))
	}
	cols = append(cols, score(IndexKey, func(p *scoring.GroupProfile) scoring.Value { return p.Index.Mean }))
	for k, slug := range scoring.KeySlugs() {
		cols = append(cols, score(slug+"_favorable", func(p *scoring.GroupProfile) scoring.Value { return p.Keys[k].FavorablePct }))
	}
	return append(cols,
		key("strongest", func(p *scoring.GroupProfile) int { return p.Strongest }),
		key("weakest", func(p *scoring.GroupProfile) int { return p.Weakest }))
}()

// TeamColumns returns the header of teams.csv.
func TeamColumns() []string { return Names(TeamFile) }

// OrganizationRow is one row of organization.csv: one key, or the ICARE
// index (Key is IndexKey), over every response of a round.
type OrganizationRow struct {
	Round, Key string
	// Shown is false when the anonymity rules hide the organization: the row
	// stays, with every number empty.
	Shown bool
	scoring.Stats
	// FavorablePct and Alpha are missing for the index.
	FavorablePct, Alpha scoring.Value
}

// OrganizationFile is organization.csv, column by column.
var OrganizationFile = func() []Column[OrganizationRow] {
	num := func(name string, v func(r *OrganizationRow) scoring.Value) Column[OrganizationRow] {
		return Column[OrganizationRow]{name, func(w Cells, r *OrganizationRow) {
			if !r.Shown {
				w.Empty()
				return
			}
			w.Score(v(r))
		}}
	}
	return []Column[OrganizationRow]{
		{"round", func(w Cells, r *OrganizationRow) { w.Text(r.Round) }},
		{"key", func(w Cells, r *OrganizationRow) { w.Text(r.Key) }},
		{"n", func(w Cells, r *OrganizationRow) {
			if !r.Shown {
				w.Empty()
				return
			}
			w.Int(int64(r.N))
		}},
		num("mean_score", func(r *OrganizationRow) scoring.Value { return r.Mean }),
		num("sd", func(r *OrganizationRow) scoring.Value { return r.SD }),
		num("ci_low", func(r *OrganizationRow) scoring.Value { return r.CILow }),
		num("ci_high", func(r *OrganizationRow) scoring.Value { return r.CIHigh }),
		num("favorable_pct", func(r *OrganizationRow) scoring.Value { return r.FavorablePct }),
		num("alpha", func(r *OrganizationRow) scoring.Value { return r.Alpha }),
	}
}()

// OrganizationColumns returns the header of organization.csv.
func OrganizationColumns() []string { return Names(OrganizationFile) }

// CodebookRow is one row of codebook.csv: one statement of the instrument.
type CodebookRow struct {
	Item, Key, Text string
	Reverse         bool
	Version         string
}

// CodebookFile is codebook.csv, column by column.
var CodebookFile = []Column[CodebookRow]{
	{"item", func(w Cells, r *CodebookRow) { w.Text(r.Item) }},
	{"key", func(w Cells, r *CodebookRow) { w.Text(r.Key) }},
	{"text", func(w Cells, r *CodebookRow) { w.Text(r.Text) }},
	{"reverse", func(w Cells, r *CodebookRow) { w.Bool(r.Reverse) }},
	{"instrument_version", func(w Cells, r *CodebookRow) { w.Text(r.Version) }},
}

// CodebookColumns returns the header of codebook.csv.
func CodebookColumns() []string { return Names(CodebookFile) }

// Codebook returns the rows of codebook.csv: every statement of the
// instrument in, its key, and whether it is reverse-keyed.
func Codebook(in *scoring.Instrument) []CodebookRow {
	var rows []CodebookRow
	for _, d := range in.Dimensions {
		for _, it := range d.Items {
			rows = append(rows, CodebookRow{Item: it.ID, Key: d.Slug, Text: it.Text, Reverse: it.Reverse, Version: in.Version})
		}
	}
	return rows
}

func keySlugs() []string {
	s := scoring.KeySlugs()
	return s[:]
}

// TeamPath joins a team's chain of names, from the top team down, as
// team_path holds it.
func TeamPath(names []string) string {
	return strings.Join(names, PathSeparator)
}

// KeyWord returns the word for key index k in strongest and weakest cells,
// or "" when k is −1 (no key defined).
func KeyWord(k int) string {
	if k < 0 || k >= scoring.NumKeys {
		return ""
	}
	return scoring.KeySlugs()[k]
}
