/* The pages' files (docs/web.md): the page shell and its assets, read into memory once at
 * start and answered on the loop thread, so that a request never touches the disk. */
#ifndef API_WEB_H
#define API_WEB_H

#include <h2o.h>
#include <stddef.h>

/* Reads the files of $TAVOLO_WEB_DIR (else the source tree's api/web/): index.html, which must
 * be there, and every *.html, *.js, *.css and *.svg beside it. Returns 0, or a TV_E* code with
 * 'err' naming the setting, the folder and the file. Call once, before serving. */
int api_web_load(char *err, size_t err_size);

/* Frees what api_web_load read. */
void api_web_unload(void);

/* Answers a GET of a page ("/", "/matches", ...: the shell) or of a file under "/web/" that
 * was loaded, and returns 1; returns 0 for any other request, which the router answers (an
 * unknown /web/ file gets its 404 problem document there). */
int api_web_on_req(h2o_req_t *req);

#endif
