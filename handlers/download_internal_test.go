package handlers

import (
	"strings"
	"testing"

	"github.com/icare-hr/icare/models"
)

// ExportBatchForTest is how many responses responses.csv reads per query.
const ExportBatchForTest = exportBatch

func TestSlugify(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2027 Q1", "2027-q1"},
		{"Été 2027 / Q1", "ete-2027-q1"},
		{"  --Q1--  ", "q1"},
		{"Zoë's \"pulse\" <survey>; rm -rf /", "zoe-s-pulse-survey-rm-rf"},
		{"Привет", ""},
		{"ｆｕｌｌ２０２７", "full2027"},
		{strings.Repeat("ab ", 40), strings.Repeat("ab-", 19) + "ab"},
		{strings.Repeat("abc ", 40), strings.Repeat("abc-", 14) + "abc"},
	} {
		if got := slugify(tc.in); got != tc.want {
			t.Errorf("slugify(%q): got %q want %q", tc.in, got, tc.want)
		}
	}
	r := models.Round{ID: 7, Name: "Привет"}
	if got := (exportOptions{round: &r}).fileName("teams"); got != "icare-teams-round-7.csv" {
		t.Errorf("file name of a round with no ASCII letters: got %q want icare-teams-round-7.csv", got)
	}
}
