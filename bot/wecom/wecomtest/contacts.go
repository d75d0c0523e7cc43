package wecomtest

import (
	"net/http"
	"slices"
	"strconv"
)

// Address book paths of the fake.
const (
	PathDepartmentList = "/cgi-bin/department/list"
	PathUserList       = "/cgi-bin/user/list"
	PathTagList        = "/cgi-bin/tag/list"
	PathTagGet         = "/cgi-bin/tag/get"
)

// Department is a department of the fake address book.
type Department struct {
	ID       int64
	Name     string
	ParentID int64
	Leaders  []string // UserIDs of the 部门负责人
}

// User is a member of the fake address book.
type User struct {
	UserID      string
	Name        string
	Departments []int64 // the first is the main department
}

// Tag is a tag of the fake address book.
type Tag struct {
	ID      int64
	Name    string
	UserIDs []string
}

// addressBook is the fake's 通讯录.
type addressBook struct {
	depts []Department
	users []User
	tags  []Tag
}

// SetAddressBook replaces the fake's address book, which department/list,
// user/list, tag/list and tag/get answer from as WeCom documents them.
func (s *Server) SetAddressBook(depts []Department, users []User, tags []Tag) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.book = addressBook{depts: slices.Clone(depts), users: slices.Clone(users), tags: slices.Clone(tags)}
}

func (s *Server) routeContacts(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathDepartmentList, s.authed(s.departmentList))
	mux.HandleFunc("GET "+PathUserList, s.authed(s.userList))
	mux.HandleFunc("GET "+PathTagList, s.authed(s.tagList))
	mux.HandleFunc("GET "+PathTagGet, s.authed(s.tagGet))
}

func (s *Server) departmentList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []map[string]any{}
	for _, d := range s.book.depts {
		leaders := d.Leaders
		if leaders == nil {
			leaders = []string{}
		}
		list = append(list, map[string]any{"id": d.ID, "name": d.Name, "name_en": "", "department_leader": leaders,
			"parentid": d.ParentID, "order": 100000000})
	}
	answer(w, 0, "ok", map[string]any{"department": list})
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("department_id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || !slices.ContainsFunc(s.book.depts, func(d Department) bool { return d.ID == id }) {
		answer(w, 60003, "department not found", nil)
		return
	}
	list := []map[string]any{}
	for _, u := range s.book.users {
		if slices.Contains(u.Departments, id) {
			list = append(list, map[string]any{"userid": u.UserID, "name": u.Name, "department": u.Departments,
				"main_department": u.Departments[0], "status": 1})
		}
	}
	answer(w, 0, "ok", map[string]any{"userlist": list})
}

func (s *Server) tagList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []map[string]any{}
	for _, t := range s.book.tags {
		list = append(list, map[string]any{"tagid": t.ID, "tagname": t.Name})
	}
	answer(w, 0, "ok", map[string]any{"taglist": list})
}

func (s *Server) tagGet(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("tagid"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.book.tags, func(t Tag) bool { return t.ID == id })
	if i < 0 {
		answer(w, 40068, "invalid tagid", nil)
		return
	}
	users := []map[string]string{}
	for _, u := range s.book.tags[i].UserIDs {
		name := ""
		for _, x := range s.book.users {
			if x.UserID == u {
				name = x.Name
			}
		}
		users = append(users, map[string]string{"userid": u, "name": name})
	}
	answer(w, 0, "ok", map[string]any{"tagname": s.book.tags[i].Name, "userlist": users, "partylist": []int64{}})
}
