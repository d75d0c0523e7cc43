package telegramtest

import (
	"fmt"

	"github.com/go-telegram/bot/models"
)

// SendAlbum queues the photos of an album, as Telegram delivers one: one
// update per photo, sharing a media_group_id, the caption on the first. It
// returns the message ids.
func (s *Server) SendAlbum(fromID int64, caption string, photos ...[]byte) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextAlbum++
	group := fmt.Sprintf("album%d", s.nextAlbum)
	var ids []int
	for i, data := range photos {
		m := s.newMessageLocked(fromID, "", "")
		if i == 0 {
			m.Caption = caption
		}
		m.MediaGroupID = group
		m.Photo = s.photoSizesLocked(data)
		s.addUpdateLocked(models.Update{Message: m})
		ids = append(ids, m.ID)
	}
	return ids
}
