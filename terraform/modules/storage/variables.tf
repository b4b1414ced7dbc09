variable "bucket_name" {
  description = "Name of the shared tenant bucket (validated at the root module)."
  type        = string
}
