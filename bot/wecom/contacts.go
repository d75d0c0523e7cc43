package wecom

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"campaignbot"
)

// Department is a department of the address book (department/list).
type Department struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	ParentID int64    `json:"parentid"`
	Leaders  []string `json:"department_leader"`
}

// Member is a member of the address book (user/list).
type Member struct {
	UserID         string  `json:"userid"`
	Name           string  `json:"name"`
	Departments    []int64 `json:"department"`
	MainDepartment int64   `json:"main_department"`
}

// Tag is a tag of the address book with its members (tag/list, tag/get).
type Tag struct {
	ID      int64  `json:"tagid"`
	Name    string `json:"tagname"`
	UserIDs []string
}

// Directory is what the application can see of the address book.
type Directory struct {
	Departments []Department
	Members     []Member
	Tags        []Tag
}

// ReadDirectory reads the departments with their leaders, the members of
// each department and the tags with their members: what `roster
// sync-wecom` turns into the roster (SPEC §6). WeCom returns only what is
// in the application's visible range (可见范围).
func (c *Client) ReadDirectory(ctx context.Context) (*Directory, error) {
	var depts struct {
		apiResult
		Department []Department `json:"department"`
	}
	if err := c.call(ctx, http.MethodGet, "/cgi-bin/department/list", nil, "", nil, &depts); err != nil {
		return nil, err
	}
	d := &Directory{Departments: depts.Department}
	seen := map[string]bool{}
	for _, dept := range d.Departments {
		var users struct {
			apiResult
			UserList []Member `json:"userlist"`
		}
		q := map[string][]string{"department_id": {strconv.FormatInt(dept.ID, 10)}}
		if err := c.call(ctx, http.MethodGet, "/cgi-bin/user/list", q, "", nil, &users); err != nil {
			return nil, err
		}
		for _, m := range users.UserList {
			if !seen[m.UserID] {
				seen[m.UserID] = true
				d.Members = append(d.Members, m)
			}
		}
	}
	var tags struct {
		apiResult
		TagList []Tag `json:"taglist"`
	}
	if err := c.call(ctx, http.MethodGet, "/cgi-bin/tag/list", nil, "", nil, &tags); err != nil {
		return nil, err
	}
	for _, t := range tags.TagList {
		var got struct {
			apiResult
			UserList []struct {
				UserID string `json:"userid"`
			} `json:"userlist"`
		}
		q := map[string][]string{"tagid": {strconv.FormatInt(t.ID, 10)}}
		if err := c.call(ctx, http.MethodGet, "/cgi-bin/tag/get", q, "", nil, &got); err != nil {
			return nil, err
		}
		for _, u := range got.UserList {
			t.UserIDs = append(t.UserIDs, u.UserID)
		}
		d.Tags = append(d.Tags, t)
	}
	return d, nil
}

// RosterEntries turns the address book into roster entries (SPEC §6):
// members keyed by UserID in their main department; a tag named with a
// role word gives that role (member when none does); a department's
// leader (部门负责人) is its leader in charge, and a leader. The root
// department (the organisation itself) is nobody's department when a
// member is also in another.
func (d *Directory) RosterEntries() []campaignbot.RosterEntry {
	names := map[int64]string{}
	for _, dept := range d.Departments {
		names[dept.ID] = strings.TrimSpace(dept.Name)
	}
	roles := map[string][]campaignbot.Role{}
	for _, t := range d.Tags {
		r, ok := campaignbot.ParseRole(t.Name)
		if !ok {
			continue
		}
		for _, u := range t.UserIDs {
			if !slices.Contains(roles[u], r) {
				roles[u] = append(roles[u], r)
			}
		}
	}
	leads := map[string][]string{}
	for _, dept := range d.Departments {
		for _, u := range dept.Leaders {
			leads[u] = append(leads[u], names[dept.ID])
		}
	}
	var entries []campaignbot.RosterEntry
	for _, m := range d.Members {
		dept := m.MainDepartment
		if dept == 0 || names[dept] == "" {
			for _, id := range m.Departments {
				if names[id] != "" && (dept == 0 || names[dept] == "" || id != 1) {
					dept = id
				}
			}
		}
		if names[dept] == "" {
			continue // in no department the application sees
		}
		e := campaignbot.RosterEntry{Name: strings.TrimSpace(m.Name), WeCom: m.UserID, Departments: []string{names[dept]},
			Roles: slices.Clone(roles[m.UserID]), InChargeOf: leads[m.UserID]}
		if len(e.InChargeOf) > 0 && !slices.Contains(e.Roles, campaignbot.RoleLeader) && !slices.Contains(e.Roles, campaignbot.RoleHead) {
			e.Roles = append(e.Roles, campaignbot.RoleLeader)
		}
		if !slices.Contains(e.Roles, campaignbot.RoleMember) {
			e.Roles = append(e.Roles, campaignbot.RoleMember)
		}
		entries = append(entries, e)
	}
	return entries
}
