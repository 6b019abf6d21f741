package cn.suyuan.app

import java.nio.ByteBuffer

/**
 * The luma plane of a camera frame as `decodeFrame` takes it. CameraX hands the Y plane of
 * YUV_420_888 as a direct buffer whose rows may be padded (`rowStride` ≥ width) and whose
 * position may not be 0; copying it once keeps the stride, so no pixel is moved twice.
 */
class LumaFrame(val bytes: ByteArray, val width: Int, val height: Int, val rowStride: Int) {
    companion object {
        /** Copies the plane; the buffer's position is left unchanged for the camera. */
        fun fromPlane(buffer: ByteBuffer, width: Int, height: Int, rowStride: Int): LumaFrame {
            require(rowStride >= width) { "row stride $rowStride is less than the width $width" }
            val needed = rowStride * (height - 1) + width
            val view = buffer.duplicate()
            require(view.remaining() >= needed) { "the plane holds ${view.remaining()} bytes, $needed needed" }
            val bytes = ByteArray(minOf(view.remaining(), rowStride * height))
            view.get(bytes)
            return LumaFrame(bytes, width, height, rowStride)
        }
    }
}
