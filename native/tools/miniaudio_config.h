/* miniaudio built for decoding only (WAV, FLAC, MP3): no devices, threads, engine, encoders or
 * Vorbis. Every file that includes miniaudio.h includes this first. */
#define MA_NO_DEVICE_IO
#define MA_NO_THREADING
#define MA_NO_ENGINE
#define MA_NO_NODE_GRAPH
#define MA_NO_RESOURCE_MANAGER
#define MA_NO_GENERATION
#define MA_NO_ENCODING
#define MA_NO_VORBIS
