/* The freestanding guest image, embedded into the host binary. */
	.section .rodata
	.balign 4096
	.global fb_guest_image_start
	.global fb_guest_image_end
fb_guest_image_start:
	.incbin FB_GUEST_BIN
fb_guest_image_end:
	.section .note.GNU-stack,"",@progbits
