package whopsim

import (
	"fmt"
	"math/rand/v2"
)

// PopulationID is the ID of the i-th membership of Config.Population.
func PopulationID(i int) string { return fmt.Sprintf("mem_pop%07d", i) }

// populationStatuses are the statuses a population's memberships take,
// active most often.
var populationStatuses = []string{
	StatusActive, StatusActive, StatusActive, StatusTrialing, StatusPastDue,
	StatusCanceled, StatusExpired, StatusCompleted,
}

// populate stores Config.Population memberships, deterministically from
// Config.Seed with dice of their own (the request dice are untouched):
// products, plans, users and accounts from the ID's hash as Put fills
// them (four products over two accounts, four plans each), a status, a
// creation time within the year before Config.Now (whole seconds, some
// sharing one), and a period: renewing ones of 30 days, one-time ones
// ending some day, and completed lifetime ones with no end (only
// completed ones, so that selecting any other status finds memberships
// that free days can extend).
func (s *Server) populate() {
	n := s.cfg.Population
	if n <= 0 {
		return
	}
	rng := rand.New(rand.NewPCG(uint64(s.cfg.Seed), 0x9091))
	now := s.now().Unix()
	const day = 24 * 60 * 60
	for i := range n {
		m := Membership{ID: PopulationID(i), Status: populationStatuses[rng.IntN(len(populationStatuses))]}
		// A few memberships share a creation second, so that the list's
		// order by (created_at, id) is exercised at page boundaries.
		m.CreatedAt = now - 365*day + rng.Int64N(365*day)
		if i > 0 && rng.IntN(10) == 0 {
			m.CreatedAt = s.members[PopulationID(i-1)].CreatedAt
		}
		start := max(m.CreatedAt, now-rng.Int64N(30*day))
		switch k := rng.IntN(10); {
		case k < 5 && m.Status == StatusCompleted: // lifetime: a one-time purchase, completed
		case k < 3: // one-time, ending within a year either side of now
			m.PeriodStart, m.PeriodEnd = new(start), new(now-180*day+rng.Int64N(365*day))
		default: // renewing monthly
			m.Renews, m.PeriodDays = true, 30
			m.PeriodStart, m.PeriodEnd = new(start), new(start+30*day)
		}
		s.members[m.ID] = m.withIDs()
	}
}

// Memberships returns a copy of every stored membership, in no order.
func (s *Server) Memberships() []Membership {
	all := s.stored()
	for i := range all {
		all[i] = all[i].clone()
	}
	return all
}
