package views

import (
	"net/url"
	"strconv"

	"github.com/a-h/templ"
)

// ExportFile is one CSV download of a round, as ExportLinks lists it.
type ExportFile struct {
	// Kind names the file: responses, teams, organization or codebook.
	Kind        string
	Label       string
	Description string
	// AdminOnly files are listed only for admins.
	AdminOnly bool
}

// exportFiles are the CSV downloads, in the order they are
// listed.
var exportFiles = []ExportFile{
	{Kind: "teams", Label: "Teams", Description: "One row per team you can see, with its sub-teams rolled in; teams too small to show are marked suppressed."},
	{Kind: "organization", Label: "Organization", Description: "The whole organization's key scores with spread, 95% confidence intervals and reliability."},
	{Kind: "codebook", Label: "Codebook", Description: "Every statement with its key and whether it is reverse-keyed, to recompute any score."},
	{Kind: "responses", Label: "Responses", AdminOnly: true, Description: "One row per respondent: raw answers, scores and comments. The group-size threshold does not apply here; handle it with care."},
}

// exportFilesFor lists the files a viewer may download.
func exportFilesFor(admin bool) []ExportFile {
	var fs []ExportFile
	for _, f := range exportFiles {
		if admin || !f.AdminOnly {
			fs = append(fs, f)
		}
	}
	return fs
}

// ExportURL is the address of one CSV download of a round; extra holds
// query parameters such as bom=1 (nil for none).
func ExportURL(kind string, roundID uint, extra url.Values) string {
	q := url.Values{"round": {strconv.FormatUint(uint64(roundID), 10)}}
	for k, vs := range extra {
		q[k] = vs
	}
	return "/export/" + url.PathEscape(kind) + ".csv?" + q.Encode()
}

// WorkbookURL is the Excel workbook of the file kind of a round.
func WorkbookURL(kind string, roundID uint) templ.SafeURL {
	return templ.SafeURL("/export/" + url.PathEscape(kind) + ".xlsx?round=" + strconv.FormatUint(uint64(roundID), 10))
}

var forExcelSemicolons = url.Values{"bom": {"1"}, "delimiter": {"semicolon"}}
