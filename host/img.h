/*
 * pvkit img: disk images from the command line, in the manner of
 * qemu-img (create, info, convert).
 *
 * Talks to: host/block (image_open, qcow2_create). Owns nothing.
 */
#ifndef PVKIT_HOST_IMG_H
#define PVKIT_HOST_IMG_H

/* argv[0] is the subcommand ("create", "info", "convert"). Returns pvkit's
   exit status: 0, or 2 after a one-line error on stderr. */
int cmd_img(int argc, char **argv);

#endif
