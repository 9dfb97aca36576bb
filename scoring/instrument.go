package scoring

// Version is the version string of the ICARE v1 instrument; every response
// records the version it was answered on.
const Version = "icare-v1"

// NumKeys is the number of ICARE keys (dimensions): I, C, A, R and E.
const NumKeys = 5

// ItemsPerKey is the number of statements in each key.
const ItemsPerKey = 5

// NumItems is the number of statements in the instrument. Item index i
// (0 … NumItems−1) belongs to key i / ItemsPerKey, in the order I1 … I5,
// C1 … C5, A1 … A5, R1 … R5, E1 … E5.
const NumItems = NumKeys * ItemsPerKey

// ScaleMin is the lowest answer on the agreement scale (Strongly disagree).
const ScaleMin = 1

// ScaleMax is the highest answer on the agreement scale (Strongly agree).
const ScaleMax = 5

// Instrument is a versioned questionnaire: an answer scale and the keys with
// their statements. Its JSON form is the one served at GET /api/v1/instrument.
type Instrument struct {
	Version    string      `json:"version"`
	Scale      Scale       `json:"scale"`
	Dimensions []Dimension `json:"dimensions"`
}

// Scale is the answer scale of an instrument: the answers run from Min to Max
// and Labels[i] names the answer Min+i.
type Scale struct {
	Min    int      `json:"min"`
	Max    int      `json:"max"`
	Labels []string `json:"labels"`
}

// Dimension is one ICARE key: its one-letter id, its name, the word used for it
// in CSV files and URLs (Slug), a one-sentence description, its statements and
// three habits to try that the personal result page offers for it.
type Dimension struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Slug        string   `json:"-"`
	Description string   `json:"description"`
	Items       []Item   `json:"items"`
	Habits      []string `json:"-"`
}

// Item is one statement. Reverse is true when agreeing with it means worse
// service; its item score is then 6 − answer.
type Item struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Reverse bool   `json:"reverse"`
}

// v1 is the ICARE v1 instrument. It is built once and never mutated; V1 hands
// out deep copies of it.
var v1 = Instrument{
	Version: Version,
	Scale: Scale{
		Min:    ScaleMin,
		Max:    ScaleMax,
		Labels: []string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"},
	},
	Dimensions: []Dimension{
		{
			ID:          "I",
			Name:        "Ideal Service",
			Slug:        "ideal",
			Description: "Meeting the everyday needs of the people we serve, because we believe good service matters.",
			Items: []Item{
				{ID: "I1", Text: "I do what I say I will do for the people I serve."},
				{ID: "I2", Text: "If I cannot keep a promise, I tell the person before the deadline, not after it."},
				{ID: "I3", Text: "I give colleagues who rely on my work the same care I give outside customers."},
				{ID: "I4", Text: "When I am busy, good service is the first thing I let slide.", Reverse: true},
				{ID: "I5", Text: "I believe the way I serve people makes a real difference here."},
			},
			Habits: []string{
				"Write down every promise you make, with its date, and check the list before you finish each day.",
				"When a promise is going to slip, tell the person early and give them a new date you can keep.",
				"Answer a request from a colleague with the same care and speed as one from an outside customer.",
			},
		},
		{
			ID:          "C",
			Name:        "Culture of Service",
			Slug:        "culture",
			Description: "Working in a place where serving customers, inside and outside the organization, is everyone's job.",
			Items: []Item{
				{ID: "C1", Text: "In my team, looking after customers is seen as everyone's job."},
				{ID: "C2", Text: "My manager sets an example of good service, to customers and to staff."},
				{ID: "C3", Text: "People in my team treat each other as customers who matter."},
				{ID: "C4", Text: "In my team, finding someone to blame comes before fixing the problem.", Reverse: true},
				{ID: "C5", Text: "Good service gets noticed and thanked in my team."},
			},
			Habits: []string{
				"When something goes wrong, ask how to put it right before anyone asks whose fault it was.",
				"Once a week, thank a colleague by name for one specific thing they did for a customer.",
				"Ask the people who depend on your work what one change would make it easier for them.",
			},
		},
		{
			ID:          "A",
			Name:        "Attentiveness",
			Slug:        "attentiveness",
			Description: "Knowing who your customers are, what they need and how they like to be served.",
			Items: []Item{
				{ID: "A1", Text: "I know what matters most to the customers I serve most often."},
				{ID: "A2", Text: "I listen to the whole request before I start on a solution."},
				{ID: "A3", Text: "I notice when someone has not really understood, even if they say they have."},
				{ID: "A4", Text: "I seldom ask customers or colleagues how we could serve them better.", Reverse: true},
				{ID: "A5", Text: "My team shares what we learn about customers' needs and wishes."},
			},
			Habits: []string{
				"Before you answer, repeat the request in your own words and check that you heard it right.",
				"Keep short notes on what your regular customers prefer, so that nobody has to explain twice.",
				"End each conversation by asking whether anything else would help, then wait for the answer.",
			},
		},
		{
			ID:          "R",
			Name:        "Responsiveness",
			Slug:        "responsiveness",
			Description: "Showing a real willingness to help and meeting each person's needs promptly and skilfully.",
			Items: []Item{
				{ID: "R1", Text: "I answer requests from customers and colleagues promptly."},
				{ID: "R2", Text: "When a customer is upset or mistaken, I still help them calmly and skilfully."},
				{ID: "R3", Text: "I say no to an unusual request before I look for a way to help.", Reverse: true},
				{ID: "R4", Text: "I adapt the way I help to suit the person in front of me."},
				{ID: "R5", Text: "After I fix a problem, I check back that the fix worked."},
			},
			Habits: []string{
				"Reply to every request within a time you set yourself, even if only to say when the full answer will come.",
				"When the answer looks like no, find one thing you can do before you say it.",
				"With an angry or mistaken customer, stay calm and aim to leave them better off than you found them.",
			},
		},
		{
			ID:          "E",
			Name:        "Empowerment",
			Slug:        "empowerment",
			Description: "Taking the initiative to turn the service vision into action, without waiting to be told.",
			Items: []Item{
				{ID: "E1", Text: "I own a customer's problem until it is solved, whoever caused it."},
				{ID: "E2", Text: "I am trusted to make decisions that help a customer without asking first."},
				{ID: "E3", Text: "I look ahead and deal with problems before customers run into them."},
				{ID: "E4", Text: "If something is outside my job description, I leave it for someone else.", Reverse: true},
				{ID: "E5", Text: "When I see the same problem again and again, I suggest a way to stop it."},
			},
			Habits: []string{
				"Own every problem you hear about: see it through, or hand it over in person and check it was picked up.",
				"The third time you meet the same problem, write down its cause and propose a fix to your team.",
				"Go one small step past what was asked, such as a call the next day to check that a fix held.",
			},
		},
	},
}

// itemIDs lists the item ids in item order, itemIndex maps an id to its index
// and reverse marks the reverse-keyed items; all three are derived from v1.
var itemIDs, itemIndex, reverse = indexItems(&v1)

func indexItems(in *Instrument) (ids [NumItems]string, index map[string]int, rev [NumItems]bool) {
	if len(in.Dimensions) != NumKeys {
		panic("scoring: the instrument must have NumKeys dimensions")
	}
	index = make(map[string]int, NumItems)
	for k, d := range in.Dimensions {
		if len(d.Items) != ItemsPerKey {
			panic("scoring: every dimension must have ItemsPerKey items")
		}
		for j, it := range d.Items {
			i := k*ItemsPerKey + j
			ids[i] = it.ID
			index[it.ID] = i
			rev[i] = it.Reverse
		}
	}
	return ids, index, rev
}

// V1 returns the ICARE v1 instrument. Each call returns a fresh deep copy, so
// the caller may change it without affecting anyone else.
func V1() *Instrument {
	in := v1
	in.Scale.Labels = append([]string(nil), v1.Scale.Labels...)
	in.Dimensions = make([]Dimension, len(v1.Dimensions))
	for k, d := range v1.Dimensions {
		d.Items = append([]Item(nil), d.Items...)
		d.Habits = append([]string(nil), d.Habits...)
		in.Dimensions[k] = d
	}
	return &in
}

// ItemIDs returns the 25 item ids in item order: I1 … I5, C1 … C5, A1 … A5,
// R1 … R5, E1 … E5.
func ItemIDs() []string {
	return append([]string(nil), itemIDs[:]...)
}

// ItemID returns the id of item index i, or "" when i is out of range.
func ItemID(i int) string {
	if i < 0 || i >= NumItems {
		return ""
	}
	return itemIDs[i]
}

// ItemIndex returns the index (0 … NumItems−1) of the item with the given id,
// and false when no item has that id.
func ItemIndex(id string) (int, bool) {
	i, ok := itemIndex[id]
	return i, ok
}

// ItemReverse reports whether item index i is reverse-keyed; it is false for
// an index out of range.
func ItemReverse(i int) bool {
	return i >= 0 && i < NumItems && reverse[i]
}

// KeyOfItem returns the key index of item index i, that is i / ItemsPerKey.
func KeyOfItem(i int) int {
	return i / ItemsPerKey
}

// KeyIDs returns the one-letter key ids in key order: I, C, A, R, E.
func KeyIDs() [NumKeys]string {
	return [NumKeys]string{"I", "C", "A", "R", "E"}
}

// KeySlugs returns the words that name the keys in CSV files and URLs, in key
// order: ideal, culture, attentiveness, responsiveness, empowerment.
func KeySlugs() [NumKeys]string {
	return [NumKeys]string{"ideal", "culture", "attentiveness", "responsiveness", "empowerment"}
}

// KeyNames returns the display names of the keys in key order.
func KeyNames() [NumKeys]string {
	var names [NumKeys]string
	for k, d := range v1.Dimensions {
		names[k] = d.Name
	}
	return names
}

// KeyIndex returns the key index for a key id ("I") or slug ("ideal"), and
// false when s names no key.
func KeyIndex(s string) (int, bool) {
	ids, slugs := KeyIDs(), KeySlugs()
	for k := range NumKeys {
		if s == ids[k] || s == slugs[k] {
			return k, true
		}
	}
	return 0, false
}

// HabitsFor returns the three habits to try for key index k (a fresh slice),
// or nil when k is out of range.
func HabitsFor(k int) []string {
	if k < 0 || k >= NumKeys {
		return nil
	}
	return append([]string(nil), v1.Dimensions[k].Habits...)
}

// Perspectives lists the perspective values a respondent may pick, in display
// order; "unspecified" means "prefer not to say". Treat it as read-only.
var Perspectives = []string{"frontline", "manager", "senior_leader", "unspecified"}

// ValidPerspective reports whether p is one of Perspectives.
func ValidPerspective(p string) bool {
	switch p {
	case "frontline", "manager", "senior_leader", "unspecified":
		return true
	}
	return false
}

// PerspectiveLabel returns the human label of perspective p, or "" when p is
// not a valid perspective.
func PerspectiveLabel(p string) string {
	switch p {
	case "frontline":
		return "Frontline service provider"
	case "manager":
		return "Manager"
	case "senior_leader":
		return "Senior leader"
	case "unspecified":
		return "Prefer not to say"
	}
	return ""
}

// Band is a named range of a 0–100 score.
type Band int

// The bands, from the lowest scores to the highest.
const (
	// Emerging is a score below 50.
	Emerging Band = iota
	// Developing is a score from 50 to below 70.
	Developing
	// Strong is a score from 70 to below 85.
	Strong
	// Legendary is a score of 85 or more.
	Legendary
)

// BandOf returns the band of a 0–100 score: below 50 Emerging, 50 to below 70
// Developing, 70 to below 85 Strong, 85 and above Legendary. The comparison is
// on the unrounded score, so 69.999 is Developing even though it displays as
// 70.0.
func BandOf(score float64) Band {
	switch {
	case score >= 85:
		return Legendary
	case score >= 70:
		return Strong
	case score >= 50:
		return Developing
	}
	return Emerging
}

// String returns the band's name, such as "Strong".
func (b Band) String() string {
	switch b {
	case Emerging:
		return "Emerging"
	case Developing:
		return "Developing"
	case Strong:
		return "Strong"
	case Legendary:
		return "Legendary"
	}
	return "Band(?)"
}

// Slug returns the band's name in lower case, for CSS classes and CSV cells.
func (b Band) Slug() string {
	switch b {
	case Emerging:
		return "emerging"
	case Developing:
		return "developing"
	case Strong:
		return "strong"
	case Legendary:
		return "legendary"
	}
	return ""
}
