/* miniaudio's implementation, compiled once for audio_file.cpp. */
#include "miniaudio_config.h"
#define MINIAUDIO_IMPLEMENTATION
#include "miniaudio.h"
